import pytest
import torch

from course_lib.grading import assert_close


def test_passes_when_close():
    assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-9]), what="x")


def test_names_the_matching_mistake():
    ref = torch.tensor([1.0, 2.0])
    with pytest.raises(AssertionError, match="x is wrong: the factor 1/2 is missing"):
        assert_close(2 * ref, ref, what="x", mistakes={"the factor 1/2 is missing": 2 * ref, "sign": -ref})


def test_reports_shape_and_largest_error():
    with pytest.raises(AssertionError, match=r"has shape \(3,\), expected \(2,\)"):
        assert_close(torch.zeros(3), torch.zeros(2), what="y")
    with pytest.raises(AssertionError, match=r"largest error 0\.5 \(entry 1: got 2\.5, expected 2\)"):
        assert_close(torch.tensor([1.0, 2.5]), torch.tensor([1.0, 2.0]), what="y")
    with pytest.raises(AssertionError, match="NaN or infinity"):
        assert_close(torch.tensor([float("inf")]), torch.tensor([1.0]), what="y")
    with pytest.raises(AssertionError, match="must be a torch.Tensor"):
        assert_close("1", torch.tensor(1.0), what="y")


def test_a_mistake_equal_to_the_reference_is_not_reported():
    ref = torch.zeros(2)
    assert_close(ref, ref, what="z", mistakes={"sign flipped": -ref})
