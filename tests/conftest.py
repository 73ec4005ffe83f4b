import matplotlib
import pytest

matplotlib.use("Agg")  # unit tests draw off-screen; notebooks keep the inline backend


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
