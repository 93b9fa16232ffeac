"""The assistant's triage detector kept between starts, without pickle.

Fitting the detector's logistic regression on every training message takes most of a cached start
(tens of seconds on two cores). ``cached_triage`` fits it once with ``train_triage`` and writes what
the fitted models are made of: each n-gram vectorizer's settings, vocabulary and idf weights (JSON and
arrays), the regression's coefficients, and the danger threshold. Later starts rebuild the same
detector from them; the fine-tuned MiniLM half is read from its own cache. The files are named by the
triage recipe (code and messages) and the scikit-learn version, and checked by hash, so a changed
recipe, a newer library or a damaged file fits again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

# The vectorizer settings that decide its output; the rest are scikit-learn's defaults and objects.
_SETTINGS = ("analyzer", "ngram_range", "min_df", "max_df", "sublinear_tf", "token_pattern", "lowercase",
             "norm", "use_idf", "smooth_idf", "binary", "strip_accents")  # fmt: skip


def save_detector(detector, file: Path, validation: int) -> None:
    """Write ``detector`` (a fitted ``TriageDetector``) as ``file`` (.npz) and a JSON sidecar."""
    arrays = {"coef": detector.model.coef_, "intercept": detector.model.intercept_}
    parts = []
    for name, vectorizer in detector.vectorizer.transformer_list:
        settings = {key: vectorizer.get_params()[key] for key in _SETTINGS}
        vocabulary = {term: int(column) for term, column in vectorizer.vocabulary_.items()}
        parts.append({"name": name, "settings": settings, "vocabulary": vocabulary})
        arrays[f"idf_{name}"] = vectorizer.idf_
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(file.name + ".part")
    with partial.open("wb") as out:
        np.savez(out, **arrays)
    partial.replace(file)
    meta = {"sha256": _sha256(file), "threshold": detector.threshold, "classes": detector.model.classes_.tolist(),
            "regression": {k: detector.model.get_params()[k] for k in ("C", "class_weight", "max_iter")},
            "vectorizers": parts, "validation": validation}  # fmt: skip
    file.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False) + "\n")


def load_detector(file: Path):
    """The ``TriageDetector`` written by ``save_detector`` (without its fine-tuned half), with the
    number of validation messages its threshold came from; None when the files are missing or damaged."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    from .triage_model import TriageDetector

    sidecar = file.with_suffix(".json")
    if not (file.is_file() and sidecar.is_file()):
        return None
    try:
        meta = json.loads(sidecar.read_text())
        if meta.get("sha256") != _sha256(file):
            return None
        with np.load(file, allow_pickle=False) as arrays:
            parts = []
            for part in meta["vectorizers"]:
                settings = {**part["settings"], "ngram_range": tuple(part["settings"]["ngram_range"])}
                vectorizer = TfidfVectorizer(**settings)
                vectorizer.vocabulary_ = part["vocabulary"]
                vectorizer.idf_ = arrays[f"idf_{part['name']}"]
                parts.append((part["name"], vectorizer))
            model = LogisticRegression(**meta["regression"])
            model.classes_ = np.array(meta["classes"])
            model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
            model.n_features_in_ = model.coef_.shape[1]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable: fitted again
    return TriageDetector(FeatureUnion(parts), model, threshold=meta["threshold"]), meta["validation"]


def cached_triage(seed: int = 0, progress: bool = False, messages: int | None = None):
    """``train_triage(seed)``'s detector, fine-tuned half included, and its number of validation
    messages: fitted on the first start, read from ``<cache>/models`` on later ones. ``messages``: the
    quick detector of ``triage_sample`` trained on that many random messages instead (None: all)."""
    import sklearn

    from ..datasets import cache_dir
    from .safety_models import cached_finetuned, triage_recipe_key
    from .triage_sample import sampled_triage, training_frames

    sample = "" if messages is None else f"/sample {messages}"
    key = hashlib.sha256(f"{triage_recipe_key()}/{seed}/{sklearn.__version__}{sample}".encode()).hexdigest()[:20]
    file = cache_dir() / "models" / f"triage-detector-{key}.npz"
    loaded = load_detector(file)
    if loaded is None:
        training = sampled_triage(seed=seed, messages=messages, progress=progress)
        save_detector(training.detector, file, len(training.validation))
        return training.detector, len(training.validation)
    detector, validation = loaded
    # The messages MiniLM was fine-tuned on include the passages added in training: the same frames
    # here find the same model in the cache.
    detector.finetuned = cached_finetuned(*training_frames(seed, messages), seed, progress)
    return detector, validation


def _sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()
