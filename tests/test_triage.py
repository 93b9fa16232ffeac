"""The assistant's triage: the frozen evaluation set, the routes, the order of checks, languages."""

from __future__ import annotations

import hashlib
from importlib import resources

from medai.datasets.triage_evaluation import EVAL_FILE, ROUTES, load_triage_evaluation

# Pinned when the set arrived, before any rule, training message or threshold was written.
FROZEN_EVALUATION_SHA256 = "f90fd034f2527bd5bb279da73a6ae5f7eb41a516316bc382229ca8ba17a01c9a"


def test_the_evaluation_set_is_the_frozen_one():
    data = resources.files("medai.datasets").joinpath("data", EVAL_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == FROZEN_EVALUATION_SHA256


def test_the_evaluation_set_has_every_route_and_language_kind():
    frame = load_triage_evaluation().frame
    assert len(frame) >= 300
    assert set(frame["route"]) == set(ROUTES)
    assert (frame.loc[frame["route"].isin(["crisis", "emergency"]), "language"] != "en").sum() >= 50
    assert {"zh", "es"} <= set(frame["language"])
