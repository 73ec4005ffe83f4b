import pytest
import torch

from course_lib import Budget, get_budget, get_device, seed_everything


def test_env_var_overrides(monkeypatch):
    monkeypatch.setenv("COURSE_BUDGET", "full")
    assert get_budget().full
    monkeypatch.setenv("COURSE_BUDGET", "FAST")
    assert get_budget().fast


def test_ci_defaults_to_fast(monkeypatch):
    monkeypatch.delenv("COURSE_BUDGET", raising=False)
    monkeypatch.setenv("CI", "true")
    assert get_budget().fast


def test_no_cuda_defaults_to_fast(monkeypatch):
    monkeypatch.delenv("COURSE_BUDGET", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert get_budget().fast


def test_cuda_defaults_to_full(monkeypatch):
    monkeypatch.delenv("COURSE_BUDGET", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_budget().full


def test_pick_and_offline():
    assert Budget("fast").pick(fast=1, full=2) == 1
    assert Budget("full").pick(fast=1, full=2) == 2
    assert Budget("fast").offline and not Budget("full").offline
    assert str(Budget("full")) == "FULL"


def test_bad_budget_names(monkeypatch):
    with pytest.raises(ValueError, match="budget name"):
        Budget("medium")
    monkeypatch.setenv("COURSE_BUDGET", "huge")
    with pytest.raises(ValueError, match="COURSE_BUDGET"):
        get_budget()
    with pytest.raises(TypeError, match="name"):
        get_budget(3)


def test_device_choice():
    assert get_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert get_device().type == expected  # the best available device, in that order
    with pytest.raises(ValueError, match="prefer"):
        get_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA"):
            get_device("cuda")


def test_seed_everything_repeats_numbers():
    seed_everything(123)
    a = torch.randn(5)
    g = seed_everything(123)
    b = torch.randn(5)
    assert torch.equal(a, b)
    assert torch.equal(torch.randn(3, generator=g), torch.randn(3, generator=torch.Generator().manual_seed(123)))


def test_seed_everything_rejects_bad_seeds():
    with pytest.raises(TypeError, match="seed"):
        seed_everything(1.5)
    with pytest.raises(ValueError, match="seed"):
        seed_everything(-1)
