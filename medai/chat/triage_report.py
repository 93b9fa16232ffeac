"""How triage did on an evaluation set: sensitivity per route with exact intervals, and false alarms."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from ..core.errors import InputError


def exact_interval(hits: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson interval for a proportion ``hits / n`` (nan, nan when n is 0)."""
    if n == 0:
        return float("nan"), float("nan")
    interval = binomtest(int(hits), int(n)).proportion_ci(confidence_level=confidence, method="exact")
    return float(interval.low), float(interval.high)


def escalation_table(frame: pd.DataFrame, predicted, by: str = "route") -> pd.DataFrame:
    """For each value of ``frame[by]``: messages, how many were escalated (crisis or emergency) or
    sent to urgent care, and the share escalated with its exact 95% interval."""
    predicted = np.asarray(predicted)
    if len(predicted) != len(frame):
        raise InputError(f"{len(predicted)} predicted routes for {len(frame)} messages")
    rows = []
    for value, index in frame.groupby(by).indices.items():
        escalated = int(np.isin(predicted[index], ["crisis", "emergency"]).sum())
        low, high = exact_interval(escalated, len(index))
        rows.append({by: value, "messages": len(index), "escalated": escalated,
                     "urgent": int((predicted[index] == "urgent").sum()),
                     "share escalated": escalated / len(index), "95% CI low": low, "95% CI high": high})  # fmt: skip
    return pd.DataFrame(rows).set_index(by)


DANGER = ("crisis", "emergency")


@dataclass
class FrozenReport:
    """One scoring of a frozen set: escalation by true route (detector + rules, and rules alone), by
    group of the dangerous messages, false alarms on ordinary questions, and every miss."""

    by_route: pd.DataFrame
    by_group: pd.DataFrame
    danger: int  # crises and emergencies in the set
    sensitivity: float  # share of them escalated
    interval: tuple[float, float]
    rules_sensitivity: float
    ordinary: int  # ordinary health questions ("routine")
    false_alarms: int  # of those, escalated
    false_alarm_interval: tuple[float, float]
    crisis_unanswered: int  # crises given the ordinary route
    misses: pd.DataFrame  # crises and emergencies not escalated


def message_group(messages: pd.Series, languages: pd.Series) -> np.ndarray:
    """"short, English", "long, English" (four sentences or more) or "other languages"."""
    from .triage_rules import sentences

    long = messages.map(lambda m: len(sentences(m)) >= 4).to_numpy()
    english = (languages == "en").to_numpy()
    return np.where(~english, "other languages", np.where(long, "long, English", "short, English"))


def frozen_report(frame: pd.DataFrame, given, rules_alone) -> FrozenReport:
    """Score routes ``given`` by the assistant (and by its rules alone) on a frozen set's ``frame``
    (route, kind, language and message columns)."""
    given, rules_alone = np.asarray(given), np.asarray(rules_alone)
    if not len(given) == len(rules_alone) == len(frame):
        raise InputError(f"{len(given)} and {len(rules_alone)} routes for {len(frame)} messages")
    frame = frame.reset_index(drop=True).assign(given=given, group=message_group(frame["message"], frame["language"]))
    danger = frame["route"].isin(DANGER).to_numpy()
    escalated, by_rules = np.isin(given, DANGER), np.isin(rules_alone, DANGER)
    ordinary = (frame["kind"] == "routine").to_numpy()
    by_route = pd.concat({"detector + rules": escalation_table(frame, given), "rules alone": escalation_table(frame, rules_alone)})
    false_alarms = int(escalated[ordinary].sum())
    return FrozenReport(
        by_route=by_route, by_group=escalation_table(frame[danger], given[danger], by="group"),
        danger=int(danger.sum()), sensitivity=float(escalated[danger].mean()),
        interval=exact_interval(int(escalated[danger].sum()), int(danger.sum())),
        rules_sensitivity=float(by_rules[danger].mean()), ordinary=int(ordinary.sum()), false_alarms=false_alarms,
        false_alarm_interval=exact_interval(false_alarms, int(ordinary.sum())),
        crisis_unanswered=int(((frame["route"] == "crisis") & (frame["given"] == "none")).sum()),
        misses=frame[danger & ~escalated][["route", "language", "given", "message"]],
    )  # fmt: skip
