import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from medai.core.checkpoint import load_checkpoint
from medai.core.metrics import auroc
from medai.core.tensors import TensorPairs
from medai.core.train import TrainConfig, fit, predict


def tiny_data(n=64, seed=0, separable=True):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 8, 8, generator=g)
    y = (
        (x[:, 0, :4].mean(dim=(1, 2)) > 0).long()
        if separable
        else torch.randint(0, 2, (n,), generator=g)
    )
    return TensorPairs(x, y)


def tiny_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 64, 2)
    )


def quiet(**kw):
    return TrainConfig(progress=False, device="cpu", **kw)


def test_a_tiny_model_overfits_a_tiny_batch():
    data = tiny_data(
        16, separable=False
    )  # random labels: only memorisation can fit them
    model = tiny_model()
    result = fit(
        model, data, data, quiet(epochs=150, batch_size=16, lr=1e-2, patience=None)
    )
    assert result.history["train_loss"].iloc[0] > 0.5
    assert result.history["train_loss"].iloc[-1] < 0.05
    # fit restores the first epoch with the best validation AUROC: a perfect ranking.
    assert result.best_score == 1.0
    logits = predict(model, data.inputs)
    assert auroc(data.targets.numpy(), logits[:, 1] - logits[:, 0]) == 1.0


def test_reruns_with_the_same_seed_give_identical_losses_and_weights():
    runs = []
    for _ in range(2):
        model = tiny_model(seed=5)
        result = fit(
            model,
            tiny_data(96),
            tiny_data(32, seed=1),
            quiet(epochs=3, batch_size=16, seed=11),
        )
        runs.append((result.history["train_loss"].to_numpy(), model.state_dict()))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    for key in runs[0][1]:
        assert torch.equal(runs[0][1][key], runs[1][1][key])


def test_early_stopping_and_the_best_weights_are_restored():
    # lr so large that training diverges after the first epochs: the best epoch is early.
    model = tiny_model()
    train, val = tiny_data(128), tiny_data(64, seed=1)
    result = fit(
        model, train, val, quiet(epochs=30, batch_size=16, lr=1e-2, patience=2)
    )
    assert result.stopped_early
    assert len(result.history) == result.best_epoch + 2
    assert result.history["val_score"].max() == pytest.approx(result.best_score)
    # The model holds the best epoch's weights: scoring it again gives the best score.
    from medai.core.metrics import cross_entropy_auroc

    logits, targets = predict(model, val, with_targets=True)
    assert cross_entropy_auroc(targets, logits) == pytest.approx(result.best_score)


def test_checkpoint_is_written_loaded_with_weights_only_and_never_overwritten(tmp_path):
    path = tmp_path / "ckpt" / "best.pt"
    model = tiny_model()
    fit(model, tiny_data(), tiny_data(32, seed=1), quiet(epochs=2, checkpoint=path))
    state = load_checkpoint(path)
    for key, value in model.state_dict().items():
        assert torch.equal(state[key], value.cpu())
    assert not path.with_name("best.pt.partial").exists()
    with pytest.raises(FileExistsError, match="overwrite_checkpoint=True"):
        fit(
            tiny_model(),
            tiny_data(),
            tiny_data(32, seed=1),
            quiet(epochs=1, checkpoint=path),
        )
    fit(
        tiny_model(),
        tiny_data(),
        tiny_data(32, seed=1),
        quiet(epochs=1, checkpoint=path, overwrite_checkpoint=True),
    )


def test_checkpoint_loading_refuses_pickled_code(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"weights": torch.zeros(1), "hook": os.system}, path)
    with pytest.raises(Exception, match="[Ww]eights only load failed"):
        load_checkpoint(path)


def test_tensorboard_logging_writes_event_files(tmp_path):
    fit(
        tiny_model(),
        tiny_data(),
        tiny_data(32, seed=1),
        quiet(epochs=2, log_dir=tmp_path / "tb"),
    )
    assert list((tmp_path / "tb").glob("events.out.tfevents.*"))


def test_tensorboard_log_reads_back_as_the_history(tmp_path):
    from medai.core.errors import InputError
    from medai.imaging.logs import read_scalars

    result = fit(tiny_model(), tiny_data(), tiny_data(32, seed=1), quiet(epochs=3, log_dir=tmp_path / "tb"))
    logged = read_scalars(tmp_path / "tb")
    assert set(logged.columns) == {"train_loss", "val_loss", "val_score", "images_per_s"}
    assert list(logged.index) == list(result.history.index)
    np.testing.assert_allclose(logged["val_loss"], result.history["val_loss"], rtol=1e-6)
    with pytest.raises(InputError, match="no TensorBoard event file"):
        read_scalars(tmp_path / "elsewhere")


def test_bad_settings_and_data_give_clear_errors():
    model, data = tiny_model(), tiny_data()
    with pytest.raises(ValueError, match="training data set is empty"):
        fit(model, TensorPairs(torch.zeros(0, 1, 8, 8), torch.zeros(0)), data, quiet())
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        fit(model, data, data, quiet(epochs=0))
    with pytest.raises(ValueError, match="patience must be None or a positive int"):
        fit(model, data, data, quiet(patience=0))
    bad = TensorPairs(data.inputs * float("nan"), data.targets)
    with pytest.raises(FloatingPointError, match="training loss became nan"):
        fit(model, bad, data, quiet(epochs=1))
    with pytest.raises(ValueError, match="nothing to predict"):
        predict(model, torch.zeros(0, 1, 8, 8))


def test_predict_keeps_the_order_and_the_training_mode():
    model = tiny_model().train()
    data = tiny_data(50)
    batched = predict(model, data.inputs, batch_size=7)
    with torch.no_grad():
        model.eval()
        direct = model(data.inputs).numpy()
        model.train()
    np.testing.assert_allclose(batched, direct, rtol=1e-5, atol=1e-6)
    assert model.training


DDP_SCRIPT = textwrap.dedent(
    """
    import sys, torch
    from torch import nn
    sys.path.insert(0, {tests!r})
    from test_train import tiny_data, tiny_model
    from medai.core.runtime import distributed_context
    from medai.core.train import TrainConfig, fit
    rank, _, world = distributed_context()
    model = tiny_model()
    result = fit(model, tiny_data(128), tiny_data(32, seed=1),
                 TrainConfig(epochs=3, batch_size={batch}, lr=1e-2, patience=None,
                             progress=False, device="cpu", seed=3))
    torch.save({{"world": result.world_size, "state": model.state_dict(),
                "loss": result.history["train_loss"].tolist()}}, {out!r} + f"/rank{{rank}}.pt")
    """
)


def test_ddp_on_two_cpu_processes_matches_one_process(tmp_path):
    """2 gloo processes x 16 images per step average to the same gradient as 1 process x 32.

    DistributedSampler deals one shuffled order out round-robin, so step k of the
    two ranks together sees exactly the images of step k of the single process;
    with no batch normalisation the averaged gradients are equal.
    """
    tests = str(Path(__file__).parent)
    outputs = {}
    for nproc, batch in ((2, 16), (1, 32)):
        out = tmp_path / f"n{nproc}"
        out.mkdir()
        script = tmp_path / f"ddp{nproc}.py"
        script.write_text(DDP_SCRIPT.format(tests=tests, batch=batch, out=str(out)))
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                   f"--nproc-per-node={nproc}", str(script)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        outputs[nproc] = [
            torch.load(p, weights_only=True) for p in sorted(out.glob("rank*.pt"))
        ]
    two, one = outputs[2], outputs[1][0]
    assert [r["world"] for r in two] == [2, 2] and one["world"] == 1
    for key in one["state"]:
        # Both ranks hold identical weights, equal to the one-process run up to rounding.
        assert torch.equal(two[0]["state"][key], two[1]["state"][key])
        torch.testing.assert_close(
            two[0]["state"][key], one["state"][key], rtol=1e-4, atol=1e-5
        )
    np.testing.assert_allclose(two[0]["loss"], one["loss"], rtol=1e-4)


def test_torch_compile_path_trains_and_saves_plain_weights(tmp_path):
    """compile=True trains through the compiled graph; the checkpoint has the model's own keys."""
    path = tmp_path / "compiled.pt"
    model = tiny_model()
    result = fit(
        model,
        tiny_data(64),
        tiny_data(32, seed=1),
        quiet(epochs=2, batch_size=32, compile=True, checkpoint=path),
    )
    assert len(result.history) == 2 and np.isfinite(result.history["train_loss"]).all()
    assert set(load_checkpoint(path)) == set(
        tiny_model().state_dict()
    )  # no "_orig_mod." prefixes


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "damaged or not a PyTorch checkpoint"),
        (b"\x80\x04not really a pickle", "not loaded|damaged"),
        (b"PK\x03\x04" + bytes(100), "damaged or not a PyTorch checkpoint"),
    ],
    ids=["empty", "garbage", "broken-zip"],
)
def test_damaged_checkpoints_are_refused_with_their_name(tmp_path, content, message):
    from medai.core.checkpoint import CheckpointError

    path = tmp_path / "model.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message) as caught:
        load_checkpoint(path)
    assert "model.pt" in str(caught.value)


def test_truncated_and_foreign_checkpoints_are_refused(tmp_path):
    from medai.core.checkpoint import CheckpointError

    good = tmp_path / "good.pt"
    torch.save({"w": torch.zeros(100)}, good)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:-60])
    with pytest.raises(CheckpointError, match="truncated.pt"):
        load_checkpoint(truncated)
    foreign = tmp_path / "list.pt"
    torch.save([torch.zeros(1)], foreign)
    with pytest.raises(CheckpointError, match="holds a list, not a state dict"):
        load_checkpoint(foreign)
    with pytest.raises(CheckpointError, match="is a folder"):
        load_checkpoint(tmp_path)
    with pytest.raises(CheckpointError, match="is missing"):
        load_checkpoint(tmp_path / "absent.pt")
    with pytest.raises(CheckpointError, match="must be a str or Path"):
        load_checkpoint(None)


def test_length_grouped_batches_cover_every_sample_once_with_less_padding():
    from torch.utils.data import BatchSampler, RandomSampler

    from medai.core.batches import LengthGroupedBatches

    generator = torch.Generator().manual_seed(0)
    lengths = torch.randint(5, 100, (1000,), generator=generator)
    batches = BatchSampler(RandomSampler(range(1000), generator=generator), 32, drop_last=False)
    grouped = list(LengthGroupedBatches(batches, lengths, seed=0, window=10))
    assert sorted(i for batch in grouped for i in batch) == list(range(1000))

    def padding(batch_list):
        return sum(int(lengths[b].max()) * len(b) - int(lengths[b].sum()) for b in batch_list)

    assert padding(grouped) < 0.3 * padding(list(batches))


def test_group_by_length_trains_on_packed_tokens_and_refuses_other_inputs():
    from torch import nn

    from medai.core.errors import InputError

    class Tokens(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed, self.out = nn.Embedding(20, 4), nn.Linear(4, 2)

        def forward(self, x):
            mask = x[:, 1].unsqueeze(-1).float()
            return self.out((self.embed(x[:, 0]) * mask).sum(1) / mask.sum(1))

    lengths = torch.randint(1, 12, (64,))
    ids = torch.randint(1, 20, (64, 12))
    mask = (torch.arange(12)[None] < lengths[:, None]).long()
    data = TensorPairs(torch.stack([ids * mask, mask], 1), torch.randint(0, 2, (64,)))
    config = TrainConfig(epochs=2, batch_size=8, patience=None, progress=False, group_by_length=True)
    result = fit(Tokens(), data, data, config)
    assert len(result.history) == 2
    images = TensorPairs(torch.rand(16, 1, 4, 4), torch.randint(0, 2, (16,)))
    with pytest.raises(InputError, match="packed token inputs"):
        fit(nn.Sequential(nn.Flatten(), nn.Linear(16, 2)), images, images, config)


def test_a_checkpoint_with_one_flipped_byte_is_refused(tmp_path):
    """Issue 28, item 4: one flipped byte changed a weight from 0.038 to -39.3 and the checkpoint loaded.
    fit writes the sha256 beside the file; load_checkpoint compares them."""
    from medai.core.checkpoint import CheckpointError, hash_sidecar

    path = tmp_path / "best.pt"
    fit(tiny_model(), tiny_data(), tiny_data(32, seed=1), quiet(epochs=1, checkpoint=path))
    assert hash_sidecar(path).read_text().strip() == hashlib.sha256(path.read_bytes()).hexdigest()
    load_checkpoint(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40  # inside the tensor bytes: torch itself would load it
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="changed after it was written"):
        load_checkpoint(path)
    hash_sidecar(path).unlink()  # a file with no recorded hash (saved elsewhere) is read as before
    load_checkpoint(path)


def test_the_image_recipe_is_fit_with_the_chapters_settings():
    """train_image_classifier is the recipe chapters 3 and 8 wrote out: the same weights as the call it replaced."""
    from medai.core.source_cnn import SourceCNN
    from medai.imaging.augment import RandomAffine
    from medai.imaging.training import train_image_classifier

    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.normal(size=(96, 1, 28, 28)).astype(np.float32))
    y = torch.from_numpy(np.tile([0, 1], 48))
    train, val = TensorPairs(x[:64], y[:64]), TensorPairs(x[64:], y[64:])
    torch.manual_seed(0)
    helped = SourceCNN()
    result = train_image_classifier(helped, train, val, epochs=2, patience=3, device="cpu", seed=4, progress=False)
    torch.manual_seed(0)
    written = SourceCNN()
    config = TrainConfig(epochs=2, batch_size=128, lr=1e-3, patience=3, device="cpu", seed=4, progress=False)
    fit(written, train, val, config, augment=RandomAffine())
    assert len(result.history) == 2
    for a, b in zip(helped.state_dict().values(), written.state_dict().values()):
        assert torch.equal(a, b)
