import pytest
import torch

from course_lib.plotting import plot_history, plot_latent_manifold, plot_latent_scatter, show_images
from course_lib.training import History


def test_show_images_titles_and_grid_size():
    ax = show_images(torch.rand(10, 1, 28, 28), nrow=5, title="ten digits")
    assert ax.get_title() == "ten digits"
    h, w, _ = ax.get_images()[0].get_array().shape
    assert (h, w) == (2 * 30 + 2, 5 * 30 + 2)  # make_grid pads 2 pixels around each image


def test_show_images_signed_range_is_normalised():
    ax = show_images(torch.full((1, 3, 8, 8), -1.0), title="black", value_range=(-1, 1), padding=0)
    assert float(ax.get_images()[0].get_array().max()) == 0.0


def test_plot_history_labels():
    h = History()
    for s in range(1, 11):
        h.append(s, {"loss": 1.0 / s, "kl": 0.1})
    ax = plot_history(h, ["loss"], title="curves", smooth=3)
    assert ax.get_xlabel() == "training step" and ax.get_title() == "curves"
    assert len(ax.get_lines()[0].get_xdata()) == 8


def test_latent_plots():
    ax = plot_latent_scatter(torch.randn(50, 2), torch.arange(50) % 10, title="codes")
    assert ax.get_xlabel() == "$z_1$" and len(ax.collections) == 10
    ax = plot_latent_manifold(lambda z: torch.sigmoid(z.sum(1)).view(-1, 1, 1, 1).expand(-1, 1, 4, 4), title="map", n=5)
    assert ax.get_images()[0].get_array().shape[:2] == (20, 20)


def test_bad_input():
    with pytest.raises(ValueError, match="images must have 4 dimensions"):
        show_images(torch.rand(28, 28), title="x")
    with pytest.raises(ValueError, match="channels"):
        show_images(torch.rand(2, 2, 4, 4), title="x")
    with pytest.raises(ValueError, match=r"codes must have shape \(N, 2\)"):
        plot_latent_scatter(torch.randn(5, 3), title="x")
    with pytest.raises(ValueError, match="labels must have 5 entries"):
        plot_latent_scatter(torch.randn(5, 2), torch.arange(4), title="x")
