"""nbgrader configuration: solutions/ is the source, notebooks/ the student release.

Layout: solutions/<assignment>/<assignment>.ipynb  ->  notebooks/<assignment>/<assignment>.ipynb
Run nbgrader from the repository root (see the README's instructor section).
"""
c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "deep-generative-models"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# Training cells take longer than nbgrader's 30 s default per cell.
c.Execute.timeout = 900

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.CourseDirectory.ignore = ['.ipynb_checkpoints', '*.pyc', '__pycache__', 'feedback', 'checkpoints', 'data']
