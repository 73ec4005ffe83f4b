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

# A course-local exchange: release_assignment, fetch_assignment, submit and collect work on one
# machine without root (nbgrader's default, /usr/local/share/nbgrader/exchange, needs it).
# Students on the same machine pass the same folder: --Exchange.root=<this folder>/exchange.
import os  # noqa: E402

c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange")
# Made here, not at the first release: until it exists the formgrader disables release and collect.
# The permissions are those nbgrader's release gives it (anyone may submit; nbgrader checks them).
if not os.path.isdir(c.Exchange.root):
    os.makedirs(c.Exchange.root, exist_ok=True)
    os.chmod(c.Exchange.root, 0o777)

# Limits for a faulty submission (an endless loop, os._exit, megabytes of output): it loses the
# cells it breaks, never the grading of the others. course_lib.autograde.LimitedExecute replaces
# nbgrader's Execute: a dead kernel scores zero from that cell on, and the whole notebook has a limit.
from course_lib.autograde import LimitedExecute  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput, SaveAutoGrades,
)

# nbgrader's default list, with LimitedExecute in Execute's place.
c.Autograde.autograde_preprocessors = [LimitedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
# Seconds per cell: a FAST training cell takes under 60 s on 2 CPU cores, so 300 s is ample.
c.Execute.timeout = 300
c.LimitedExecute.timeout = 300
# Seconds for the whole notebook: every FAST notebook runs in about a minute.
c.LimitedExecute.notebook_timeout = 600
# Text kept per cell (characters) and per stream (lines).
c.LimitedExecute.max_output_chars = 100_000
c.LimitOutput.max_lines = 1000

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.CourseDirectory.ignore = ['.ipynb_checkpoints', '*.pyc', '__pycache__', 'feedback', 'checkpoints', 'data']
