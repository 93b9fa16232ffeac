"""The triage recipe on all or a sample of the training messages; a quick detector for smoke runs and tests.

``sampled_triage(seed, messages)`` draws ``messages`` of the training messages at random and trains
on them exactly as ``safety_models.train_triage`` trains on all of them (the passages of long ordinary
messages, the typo copy, the n-gram and MiniLM regression, MiniLM fine-tuned, the threshold for .98
validation sensitivity on the sample's validation share). On two cores it takes a minute or two from an
empty cache, against about half an hour for the whole recipe; it escalates less reliably, and no number
in the book comes from it. ``messages=None`` is the whole recipe. ``training_frames`` gives what the
detector learns from and is tuned on, so that a detector read back from the cache (``triage_store``)
finds the fine-tuned MiniLM that was trained with it.

Why its steps are written here again: ``safety_models`` is part of the triage recipe's key, so changing
it makes the recorded seed scores stale until three seeds are trained again; when the recipe next
changes, ``train_triage`` should take the sample itself and this module should shrink to that call.
"""

from __future__ import annotations

import random

import pandas as pd

from ..core.errors import InputError
from . import safety_models
from .triage_model import DANGER, danger_threshold, passages_of_ordinary, train_triage_detector, typo_variant

QUICK_MESSAGES = 1500  # of the 20,027 training messages: every route keeps a few hundred
QUICK_EMOTION_TRAIN = 600  # GoEmotions comments the quick feeling check learns from


def sampled_split(seed: int = 0, messages: int | None = QUICK_MESSAGES, share: float = 0.2):
    """``safety_models.triage_split`` over a random ``messages`` of the training messages (None: all)."""
    from ..datasets.triage_training import load_triage_training, validation_split

    if messages is None:
        return safety_models.triage_split(seed, share)
    if isinstance(messages, bool) or not isinstance(messages, int) or messages < 200:
        raise InputError(f"messages must be a whole number of at least 200, or None for all; got {messages!r}")
    frame = load_triage_training().frame
    frame = frame.sample(min(messages, len(frame)), random_state=seed).reset_index(drop=True)
    held = validation_split(frame, share, seed=seed)
    return frame[~held], frame[held].reset_index(drop=True)


def training_frames(seed: int = 0, messages: int | None = None, share: float = 0.2):
    """(training messages with passages of the long ordinary ones added, validation messages): what
    ``train_triage`` (``messages=None``) or ``sampled_triage`` fits the detector and MiniLM on, and
    chooses the threshold on."""
    train, validation = sampled_split(seed, messages, share)
    if safety_models.PASSAGES:
        texts, routes = passages_of_ordinary(train["message"], train["route"], safety_models.PASSAGES, seed)
        passages = pd.DataFrame({"route": routes, "message": texts, "language": None, "feeling": None, "source": "passage"})
        train = pd.concat([train, passages], ignore_index=True).drop_duplicates("message", ignore_index=True)
    return train, validation


def sampled_triage(seed: int = 0, messages: int | None = QUICK_MESSAGES, progress: bool = False):
    """The triage detector trained the chapter's way on ``messages`` random training messages (None:
    all of them, ``safety_models.train_triage``); a ``safety_models.TriageTraining``."""
    if messages is None:
        return safety_models.train_triage(seed=seed, progress=progress)
    train, validation = training_frames(seed, messages)
    rng = random.Random(seed)
    typed = pd.concat([train, train.assign(message=[typo_variant(m, rng) for m in train["message"]])], ignore_index=True)
    detector = train_triage_detector(typed["message"], typed["route"], vectors=safety_models.embed(typed["message"]),
                                     c=safety_models.TRIAGE_C, seed=seed)  # fmt: skip
    detector.finetuned = safety_models.cached_finetuned(train, validation, seed, progress)
    scores = pd.DataFrame(detector.scores_many(validation["message"], embed=safety_models.embed))
    detector.threshold = danger_threshold(scores["danger"], validation["route"].isin(DANGER), safety_models.SENSITIVITY)
    return safety_models.TriageTraining(detector, pd.concat([validation, scores], axis=1))
