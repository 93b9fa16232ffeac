"""The assistant's two learned safety models, trained the way chapter 7 trains them.

``train_triage`` fits the triage detector on the training messages (a typo-augmented copy
added for the logistic regression), holding out a stratified validation share on which the danger threshold is chosen for
the target sensitivity. ``train_emotions`` fits the GoEmotions classifier on a sample of the
training split with thresholds from ``dev``; its weights are cached as an ``.npz`` (no pickle),
keyed by the texts it learned from, so later starts read them. ``train_feelings`` puts the learned
check of ``feelings`` over it, trained on the training messages whose writers marked a feeling, with
its threshold chosen on the same validation share as triage's.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .embedding_cache import cached_embeddings, embedding_key
from .emotion import EmotionClassifier, train_emotion_classifier
from .feelings import FeelingCheck, train_feeling_check
from .triage_model import DANGER, TriageDetector, danger_threshold, embed_windows, passages_of_ordinary, train_triage_detector
from .triage_model import typo_variant
from .triage_rules import normalise

MODEL = "all-MiniLM-L6-v2/64"
SENSITIVITY = 0.98  # of crisis + emergency validation messages, chosen before any evaluation
TRIAGE_C = 4.0  # chosen on the validation messages among 1, 4 and 16
FINETUNE_EPOCHS = 3  # MiniLM fine-tuning; the best of them on validation is kept
# The lowest 3 of MiniLM's 6 layers stay as pretrained: fine-tuning takes 137 s instead of about 230
# on two cores (the chapter's time budget). Validation false alarms at .98 sensitivity, seed 0:
# .253 all layers trained, .267 three frozen, .287 two frozen, .289 all trained for two epochs.
FROZEN_LAYERS = 3
# Up to 4 passages of each long ordinary training message are added as "none" (0: none added). Chosen on
# the validation messages (seed 0, benchmarks/results/triage-long-passages.csv): at the threshold for
# .98 sensitivity, 87 of the 168 long ordinary ones flagged against 114 without, 381 of 1,923 of all
# that need neither against 430.
PASSAGES = 4
EMOTION_C = 1.0  # chosen on GoEmotions dev among 0.3, 1 and 3
FEELING_C = 1.0  # the feeling check's regularisation


_RECIPE_SOURCES = ("chat/safety_models.py", "chat/triage_model.py", "chat/triage_rules.py", "chat/triage.py",
                   "chat/feelings.py", "chat/emotion.py", "datasets/triage_training.py")  # fmt: skip


def triage_recipe_key() -> str:
    """A digest of the code and messages the triage detector and feeling check are trained from:
    a record made with another recipe (``benchmarks/results/triage-seeds.csv``) is stale."""
    from ..datasets.triage_evaluation import EVAL_FILES
    from ..datasets.triage_training import FEELING_FILES, LANGUAGE_FILES, TRAINING_FILES
    from ..datasets.written import packaged_sha256

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for source in _RECIPE_SOURCES:
        digest.update((root / source).read_bytes())
    for file in (*TRAINING_FILES.values(), *FEELING_FILES, *LANGUAGE_FILES, *EVAL_FILES.values()):
        digest.update(packaged_sha256(file).encode())
    return digest.hexdigest()[:20]


def embed(texts) -> np.ndarray:
    """MiniLM vectors of normalised texts, from the embedding cache when seen before."""
    return cached_embeddings([normalise(t) for t in texts], embed_windows, MODEL)[0]


@dataclass
class TriageTraining:
    """The fitted detector and its validation messages with their scores."""

    detector: TriageDetector
    validation: pd.DataFrame  # route, message, language, and one column per score


def triage_split(seed: int = 0, share: float = 0.2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training messages outside the validation share, and the share (``share`` of each route and
    language, drawn with ``seed``)."""
    from ..datasets.triage_training import load_triage_training, validation_split

    frame = load_triage_training().frame
    held = validation_split(frame, share, seed=seed)
    return frame[~held], frame[held].reset_index(drop=True)


def train_triage(seed: int = 0, share: float = 0.2, sensitivity: float = SENSITIVITY, c: float = TRIAGE_C,
                 progress: bool = False) -> TriageTraining:  # fmt: skip
    """Fit on the training messages outside the validation share, with passages of the long ordinary
    ones among them (``PASSAGES``); set the danger threshold on the share.
    ``progress`` shows a bar while MiniLM is fine-tuned (off in notebooks: a cached run has none)."""
    train, validation = triage_split(seed, share)
    if PASSAGES:
        texts, routes = passages_of_ordinary(train["message"], train["route"], PASSAGES, seed)
        passages = pd.DataFrame({"route": routes, "message": texts, "language": None, "feeling": None, "source": "passage"})
        train = pd.concat([train, passages], ignore_index=True).drop_duplicates("message", ignore_index=True)
    rng = random.Random(seed)
    typed = pd.concat([train, train.assign(message=[typo_variant(m, rng) for m in train["message"]])], ignore_index=True)
    detector = train_triage_detector(typed["message"], typed["route"], vectors=embed(typed["message"]), c=c, seed=seed)
    # MiniLM is fine-tuned on the messages as written: the typo copy would double the minutes it
    # takes (the chapter's time budget), and the n-gram half already learns the typos.
    detector.finetuned = cached_finetuned(train, validation, seed, progress)
    scores = pd.DataFrame(detector.scores_many(validation["message"], embed=embed))
    detector.threshold = danger_threshold(scores["danger"], validation["route"].isin(DANGER), sensitivity)
    return TriageTraining(detector, pd.concat([validation, scores], axis=1))


def goemotions_sample(train_size: int | None, seed: int = 0):
    """``train_size`` GoEmotions training comments drawn at random (None: all 43,410), and ``dev``."""
    from ..datasets.goemotions import load_goemotions

    train, dev = load_goemotions("train"), load_goemotions("dev")
    if train_size is not None and train_size < len(train):
        train = train.subset(np.sort(np.random.default_rng(seed).choice(len(train), train_size, replace=False)))
    return train, dev


def cached_finetuned(train: pd.DataFrame, validation: pd.DataFrame, seed: int = 0, progress: bool = False):
    """The fine-tuned MiniLM half of the detector: trained once (minutes on two cores), then read
    from ``<cache>/models`` (a state dict, loaded without pickle)."""
    import torch

    from ..core.checkpoint import load_checkpoint
    from ..datasets import cache_dir
    from ..datasets.resolve import sha256_of
    from ..text.transformer import sequence_classifier
    from .triage_model import finetune_minilm

    texts = [f"{r}\t{m}" for r, m in zip(train["route"], train["message"])]
    texts += [f"{r}\t{m}" for r, m in zip(validation["route"], validation["message"])]
    key = embedding_key(texts, f"triage-minilm/{FINETUNE_EPOCHS}/{FROZEN_LAYERS}/{seed}")
    file = cache_dir() / "models" / f"triage-minilm-{key[:20]}.pt"
    digest = file.with_suffix(".sha256")
    if file.is_file() and digest.is_file() and digest.read_text().strip() == sha256_of(file):
        model = sequence_classifier(4)
        model.load_state_dict(load_checkpoint(file))
        return model.eval()  # a damaged or edited file fails the hash and is trained again below
    model = finetune_minilm(train["message"], train["route"], validation["message"], validation["route"],
                            epochs=FINETUNE_EPOCHS, seed=seed, progress=progress, frozen_layers=FROZEN_LAYERS)  # fmt: skip
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_suffix(".part")
    torch.save(model.state_dict(), partial)
    partial.replace(file)
    digest.write_text(sha256_of(file) + "\n")
    return model


def train_emotions(train_size: int | None = 6000, seed: int = 0) -> EmotionClassifier:
    """The GoEmotions classifier on ``train_size`` training comments, thresholds from ``dev``."""
    from ..datasets import cache_dir

    train, dev = goemotions_sample(train_size, seed)
    key = hashlib.sha256(f"{embedding_key(train.data + dev.data, MODEL)}/{EMOTION_C}/{seed}".encode()).hexdigest()
    file = cache_dir() / "models" / f"emotions-{key[:20]}.npz"
    if file.is_file():
        with np.load(file, allow_pickle=False) as saved:
            return EmotionClassifier(tuple(saved["names"]), saved["coef"], saved["intercept"], saved["thresholds"])
    classifier = train_emotion_classifier(embed(train.data), train.target, embed(dev.data), dev.target,
                                          train.target_names, c=EMOTION_C, seed=seed)  # fmt: skip
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_suffix(".part.npz")
    np.savez(partial, names=np.array(classifier.names), coef=classifier.coef, intercept=classifier.intercept,
             thresholds=classifier.thresholds)  # fmt: skip
    partial.replace(file)
    return classifier


@dataclass
class FeelingTraining:
    """The fitted feeling check and its validation messages with the probability it gave each."""

    check: FeelingCheck
    validation: pd.DataFrame  # route, message, language, feeling, and ``probability``


def train_feelings(emotion_train: int | None = 6000, seed: int = 0, share: float = 0.2) -> FeelingTraining:
    """The feeling check over the GoEmotions classifier, fitted on the training messages that say
    whether a feeling should be acknowledged, outside triage's validation share; the threshold is
    chosen inside it."""
    from ..datasets.triage_training import load_triage_training, validation_split

    frame = load_triage_training().frame
    held = validation_split(frame, share, seed=seed)
    marked = frame["feeling"].notna().to_numpy()
    train, validation = frame[marked & ~held], frame[marked & held].reset_index(drop=True)
    emotions = train_emotions(emotion_train, seed=seed)
    check = train_feeling_check(emotions, embed(train["message"]), train["feeling"].astype(bool),
                                embed(validation["message"]), validation["feeling"].astype(bool),
                                c=FEELING_C, seed=seed)  # fmt: skip
    validation = validation.assign(probability=check.probability(embed(validation["message"])))
    return FeelingTraining(check, validation)
