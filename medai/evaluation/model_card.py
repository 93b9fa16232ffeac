"""A model card, in the spirit of Mitchell et al. (2019) and TRIPOD+AI (Collins et al. 2024),
made from a run's computed results and written as YAML.

Every number comes in as a computed object (a ``binary_report`` table, a fitted temperature, a
file's sha256); only what no computation can say (intended use, limitations) is text.
``missing_fields`` lists what a card lacks, so a test can refuse an incomplete one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

REQUIRED_FIELDS = (
    "model.name", "model.architecture", "model.parameters", "model.weights_sha256",
    "intended_use.purpose", "intended_use.users", "intended_use.not_for",
    "data.name", "data.licence", "data.citation", "data.splits",
    "decision_threshold.value", "decision_threshold.chosen_on",
    "test_metrics", "calibration.temperature", "calibration.ece_before", "calibration.ece_after",
    "calibration.brier_before", "calibration.brier_after",
    "subgroups", "limitations",
)  # fmt: skip


def _plain(value):
    """numpy scalars and arrays as plain Python, so YAML stays readable."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


def metrics_with_intervals(report: pd.DataFrame) -> dict:
    """A ``binary_report`` table as {metric: {value, ci_95: [low, high]}}."""
    return {name: {"value": row["value"], "ci_95": [row["ci_low"], row["ci_high"]]} for name, row in report.iterrows()}


def build_model_card(
    *, name: str, architecture: str, parameters: int, weights_sha256: str, intended_use: dict,
    data: dict, threshold: float, threshold_rule: str, test_report: pd.DataFrame, temperature: float,
    ece: tuple[float, float], brier: tuple[float, float], subgroups, limitations: list[str],
) -> dict:  # fmt: skip
    """The card as a dict; ``ece`` and ``brier`` are (before, after) temperature scaling on test."""
    card = {
        "model": {"name": name, "architecture": architecture, "parameters": int(parameters),
                  "weights_sha256": weights_sha256},
        "intended_use": intended_use,
        "data": data,
        "decision_threshold": {"value": threshold, "chosen_on": threshold_rule},
        "test_metrics": metrics_with_intervals(test_report),
        "calibration": {"temperature": temperature, "ece_before": ece[0], "ece_after": ece[1],
                        "brier_before": brier[0], "brier_after": brier[1]},
        "subgroups": subgroups,
        "limitations": list(limitations),
    }  # fmt: skip
    return _plain(card)


def _lookup(card: dict, dotted: str):
    value = card
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def missing_fields(card: dict) -> list[str]:
    """Required fields that are absent, empty, or not finite numbers."""
    missing = []
    for field in REQUIRED_FIELDS:
        value = _lookup(card, field)
        empty = value is None or (isinstance(value, (str, list, dict)) and len(value) == 0)
        not_finite = isinstance(value, float) and not np.isfinite(value)
        if empty or not_finite:
            missing.append(field)
    return missing


def to_yaml(card: dict) -> str:
    """The card as YAML, fields in the order they were built."""
    return yaml.safe_dump(card, sort_keys=False, allow_unicode=True, width=100)
