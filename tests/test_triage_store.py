"""The fitted triage detector kept between starts: read back exactly, never from pickle, fitted again
when its files are damaged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medai.chat import safety_models, triage_sample
from medai.chat.triage_model import train_triage_detector
from medai.chat.triage_store import cached_triage, load_detector, save_detector
from tests.test_triage import _keyword_embed

TEXTS = ["i want to die", "i want to kill myself", "crushing chest pain cant breath", "chest pain and no breath",
         "fever for a week", "a week of fever now", "best diet for gout", "a recipe for soup"] * 3  # fmt: skip
ROUTES = ["crisis", "crisis", "emergency", "emergency", "urgent", "urgent", "none", "none"] * 3
ASKED = ["I really want to die", "soup recipe please", "chest pain since this morning", "fever, a week now"]


def _fitted():
    detector = train_triage_detector(TEXTS, ROUTES, c=10.0, embed=_keyword_embed)
    detector.threshold = 0.37
    return detector


def test_a_saved_detector_reads_back_with_the_same_probabilities_and_threshold(tmp_path):
    detector = _fitted()
    save_detector(detector, tmp_path / "d.npz", validation=12)
    loaded, validation = load_detector(tmp_path / "d.npz")
    loaded.embed = _keyword_embed
    assert validation == 12 and loaded.threshold == 0.37
    assert np.allclose(loaded.probabilities(ASKED), detector.probabilities(ASKED), atol=1e-12)
    with np.load(tmp_path / "d.npz", allow_pickle=False) as arrays:  # plain arrays only
        assert set(arrays.files) == {"coef", "intercept", "idf_characters", "idf_words"}


def test_missing_or_damaged_files_read_as_nothing(tmp_path):
    assert load_detector(tmp_path / "none.npz") is None
    save_detector(_fitted(), tmp_path / "d.npz", validation=1)
    (tmp_path / "d.npz").write_bytes(b"not arrays")
    assert load_detector(tmp_path / "d.npz") is None


def test_the_assistant_fits_the_detector_once_then_reads_it(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDAI_DATA_DIR", str(tmp_path))
    fits = []

    def train(seed: int = 0, progress: bool = False):
        fits.append(seed)
        return safety_models.TriageTraining(_fitted(), pd.DataFrame({"message": ["a"] * 5}))

    monkeypatch.setattr(safety_models, "train_triage", train)
    monkeypatch.setattr(triage_sample, "training_frames", lambda seed, messages: (None, None))
    monkeypatch.setattr(safety_models, "cached_finetuned", lambda *args: None)
    first, validation = cached_triage(seed=0)
    again, validation_again = cached_triage(seed=0)
    assert fits == [0] and validation == validation_again == 5
    again.embed = first.embed = _keyword_embed
    assert np.allclose(first.probabilities(ASKED), again.probabilities(ASKED), atol=1e-12)
    assert len(list((tmp_path / "models").glob("triage-detector-*.npz"))) == 1


class _Stop(Exception):
    pass


def test_a_detector_read_back_asks_for_the_minilm_trained_with_it(monkeypatch):
    """``train_triage`` fine-tunes MiniLM on its training messages with passages of the long ordinary ones
    added; a later start rebuilds the detector from its files and must ask the cache for a model trained
    on the very same messages (it once asked without the passages, and so fine-tuned a second model)."""
    asked = []

    def finetuned(train, validation, *args):
        asked.append((train.reset_index(drop=True), validation.reset_index(drop=True)))
        raise _Stop  # the rest of training is not the question here

    monkeypatch.setattr(safety_models, "cached_finetuned", finetuned)
    monkeypatch.setattr(safety_models, "embed", lambda texts: np.zeros((len(texts), 2)))
    monkeypatch.setattr(safety_models, "train_triage_detector", lambda *args, **kwargs: type("D", (), {})())
    with pytest.raises(_Stop):
        safety_models.train_triage(seed=1)
    train, validation = triage_sample.training_frames(seed=1)
    assert (train["source"] == "passage").sum() > 100  # the passages the first version left out
    pd.testing.assert_frame_equal(asked[0][0], train.reset_index(drop=True))
    pd.testing.assert_frame_equal(asked[0][1], validation)


def test_a_quick_detector_learns_from_a_sample_and_refuses_a_bad_size():
    from medai.core.errors import InputError

    train, validation = triage_sample.sampled_split(seed=0, messages=1500)
    assert len(train) + len(validation) == 1500 and 200 < len(validation) < 400
    assert set(train["route"]) == set(validation["route"]) == {"crisis", "emergency", "urgent", "none"}
    again, _ = triage_sample.sampled_split(seed=0, messages=1500)
    other, _ = triage_sample.sampled_split(seed=1, messages=1500)
    assert again["message"].tolist() == train["message"].tolist() != other["message"].tolist()
    for bad in (0, 150, 2.5, True, "1500"):
        with pytest.raises(InputError, match="messages must be a whole number"):
            triage_sample.sampled_split(seed=0, messages=bad)
