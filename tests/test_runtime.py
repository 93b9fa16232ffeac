"""Profiles, seeds and devices."""

import numpy as np
import pytest
import torch

from medai.core.profiles import settings_for
from medai.core.runtime import pick_device, seed_everything

TABLE = {"smoke": {"epochs": 1}, "default": {"epochs": 5}}


def test_profiles_pick_their_settings_and_full_falls_back_to_default():
    assert settings_for("smoke", TABLE) == {"epochs": 1}
    assert settings_for("full", TABLE) == {"epochs": 5}


@pytest.mark.parametrize(
    "profile, table, message",
    [
        ("fast", TABLE, "profile must be one of"),
        ("smoke", {"smoke": {"a": 1}, "default": {"b": 1}}, "defines"),
        ("smoke", {"default": {"a": 1}}, "at least"),
        ("smoke", {**TABLE, "huge": {"epochs": 9}}, "unknown profile 'huge'"),
    ],
)
def test_profile_mistakes_are_reported(profile, table, message):
    with pytest.raises(ValueError, match=message):
        settings_for(profile, table)


def test_seed_everything_makes_draws_repeat():
    seed_everything(7)
    first = (np.random.rand(3), torch.rand(3))
    seed_everything(7)
    second = (np.random.rand(3), torch.rand(3))
    np.testing.assert_array_equal(first[0], second[0])
    assert torch.equal(first[1], second[1])
    with pytest.raises(ValueError):
        seed_everything(-1)


def test_pick_device():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device("auto").type in {"cpu", "cuda", "mps"}
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA GPU"):
            pick_device("cuda")
