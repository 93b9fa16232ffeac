"""The fitted triage detector kept between starts: read back exactly, never from pickle, fitted again
when its files are damaged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from medai.chat import safety_models
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
    monkeypatch.setattr(safety_models, "triage_split", lambda seed: (None, None))
    monkeypatch.setattr(safety_models, "cached_finetuned", lambda *args: None)
    first, validation = cached_triage(seed=0)
    again, validation_again = cached_triage(seed=0)
    assert fits == [0] and validation == validation_again == 5
    again.embed = first.embed = _keyword_embed
    assert np.allclose(first.probabilities(ASKED), again.probabilities(ASKED), atol=1e-12)
    assert len(list((tmp_path / "models").glob("triage-detector-*.npz"))) == 1
