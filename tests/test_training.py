import pytest
import torch
from torch import nn

from course_lib.data import InMemoryLoader
from course_lib.training import History, TrainState, checkpoint_path, load_checkpoint, save_checkpoint, train


def _problem(init_seed=0):
    g = torch.Generator().manual_seed(0)  # the data never change
    x = torch.randn(64, 3, generator=g)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.1 * torch.randn(64, 1, generator=g)
    torch.manual_seed(init_seed)
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    loader = InMemoryLoader(x, y, batch_size=8, seed=1)

    def step_fn(batch):
        xb, yb = batch
        # dropout-like noise makes the run depend on the RNG state, which resume must restore
        loss = ((model(xb + 0.01 * torch.randn_like(xb)) - yb) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return {"loss": loss.item()}

    return model, opt, loader, step_fn


def test_train_decreases_loss_and_logs_history():
    model, opt, loader, step_fn = _problem()
    state = TrainState({"model": model}, {"opt": opt})
    history = train(step_fn, loader, 60, state, progress=False, log_every=5)
    assert state.step == 60 and history.steps == list(range(5, 61, 5))
    assert history.last("loss", 3) < history["loss"][0] / 5
    assert not model.training  # back in eval mode


def test_resume_reproduces_uninterrupted_run(tmp_path):
    model, opt, loader, step_fn = _problem()
    state = TrainState({"model": model}, {"opt": opt})
    train(step_fn, loader, 40, state, progress=False)
    reference = [p.detach().clone() for p in model.parameters()]

    model, opt, loader, step_fn = _problem()
    state = TrainState({"model": model}, {"opt": opt})
    ckpt = tmp_path / "run.pt"
    train(step_fn, loader, 25, state, progress=False, checkpoint_path=ckpt, checkpoint_every=10)
    # a fresh process would rebuild everything and call train again with the same path
    model, opt, loader, step_fn = _problem(init_seed=99)
    torch.manual_seed(12345)  # a different RNG state: the checkpoint must restore it
    state = TrainState({"model": model}, {"opt": opt})
    history = train(step_fn, loader, 40, state, progress=False, checkpoint_path=ckpt, checkpoint_every=10)
    assert state.step == 40 and len(history) == 40
    for p, q in zip(model.parameters(), reference):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


def test_checkpoint_is_atomic_and_leaves_no_temporary_files(tmp_path):
    model = nn.Linear(2, 2)
    state = TrainState({"m": model})
    path = save_checkpoint(tmp_path / "sub" / "c.pt", state)
    assert path.is_file() and [p.name for p in path.parent.iterdir()] == ["c.pt"]
    with torch.no_grad():
        model.weight.zero_()
    load_checkpoint(path, state)
    assert float(model.weight.detach().abs().sum()) > 0


def test_bad_arguments(tmp_path):
    model, opt, loader, step_fn = _problem()
    state = TrainState({"model": model}, {"opt": opt})
    with pytest.raises(TypeError, match="step_fn"):
        train(None, loader, 5, state)
    with pytest.raises(TypeError, match="loader"):
        train(step_fn, [1, 2], 5, state)
    with pytest.raises(ValueError, match="num_steps"):
        train(step_fn, loader, -1, state)
    with pytest.raises(ValueError, match="checkpoint_path"):
        train(step_fn, loader, 5, state, checkpoint_every=2)
    with pytest.raises(TypeError, match="state"):
        save_checkpoint(tmp_path / "x.pt", {"a": 1})
    with pytest.raises(ValueError, match="not a checkpoint"):
        load_checkpoint(tmp_path / "missing.pt", state)
    other = TrainState({"other": nn.Linear(1, 1)})
    save_checkpoint(tmp_path / "o.pt", other)
    with pytest.raises(ValueError, match="modules"):
        load_checkpoint(tmp_path / "o.pt", state)


def test_history_errors_name_the_metric():
    h = History()
    h.append(1, {"loss": 2.0})
    with pytest.raises(KeyError, match="kl"):
        h["kl"]


def test_checkpoint_path_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_CHECKPOINT_DIR", raising=False)
    assert str(checkpoint_path("vae_fast")) == "checkpoints/vae_fast.pt"
    monkeypatch.setenv("COURSE_CHECKPOINT_DIR", str(tmp_path))
    assert checkpoint_path("ae") == tmp_path / "ae.pt"
    with pytest.raises(ValueError, match="name"):
        checkpoint_path("../x")
