"""SIMULATED type-1 diabetes patients (simglucose, the UVA/Padova simulator) for glucose forecasting.

The traces are SIMULATED: virtual patients of the simulator eat random meals and
dose insulin with a basal-bolus controller that, like real patients, misjudges
the carbohydrates of each meal.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..core.errors import InputError
from .bundle import SIMULATED, DataBundle

SAMPLE_MINUTES = 3  # the simulator's Dexcom CGM reports every 3 minutes
GLUCOSE_PATIENTS = tuple(
    f"{group}#{k:03d}"
    for group in ("adolescent", "adult", "child")
    for k in range(1, 11)
)


def _simglucose() -> SimpleNamespace:
    """The simulator's classes, imported on first use (simglucose is slow to import and noisy)."""
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # simglucose imports the deprecated pkg_resources and gym
        from simglucose.actuator.pump import InsulinPump
        from simglucose.controller.basal_bolus_ctrller import BBController
        from simglucose.patient.t1dpatient import T1DPatient
        from simglucose.sensor.cgm import CGMSensor
        from simglucose.simulation.env import T1DSimEnv
        from simglucose.simulation.scenario_gen import RandomScenario
        from simglucose.simulation.sim_engine import SimObj
    logging.getLogger("simglucose").setLevel(logging.WARNING)
    return SimpleNamespace(
        InsulinPump=InsulinPump, BBController=BBController, T1DPatient=T1DPatient, CGMSensor=CGMSensor,
        T1DSimEnv=T1DSimEnv, RandomScenario=RandomScenario, SimObj=SimObj,
    )  # fmt: skip


def simulate_patient(
    patient: str, days: float, seed: int, carb_error: float = 0.3
) -> pd.DataFrame:
    """One virtual patient for ``days`` days: CGM, true blood glucose, carbohydrates and insulin.

    ``carb_error`` is the spread (log scale) of the patient's carbohydrate
    estimate for each meal: 0.3 means a typical misjudgement of about 30%.
    """
    if patient not in GLUCOSE_PATIENTS:
        raise InputError(
            f"unknown virtual patient {patient!r}; choose from {GLUCOSE_PATIENTS[0]} ... {GLUCOSE_PATIENTS[-1]}"
        )
    if days <= 0:
        raise InputError(f"days must be positive, got {days}")
    sg = _simglucose()

    class CarbCountingController(sg.BBController):
        """Basal-bolus dosing with a misjudged carbohydrate count per meal."""

        def __init__(self, rng: np.random.Generator) -> None:
            super().__init__()
            self.rng, self.factor, self.eating = rng, 1.0, False

        def policy(self, observation, reward, done, **info):
            meal = info.get("meal", 0.0)
            if meal > 0 and not self.eating:
                self.factor = float(np.exp(self.rng.normal(0.0, carb_error)))
            self.eating = meal > 0
            info["meal"] = meal * self.factor
            return super().policy(observation, reward, done, **info)

    start = datetime(2026, 1, 1)
    env = sg.T1DSimEnv(
        sg.T1DPatient.withName(patient),
        sg.CGMSensor.withName("Dexcom", seed=seed),
        sg.InsulinPump.withName("Insulet"),
        sg.RandomScenario(start_time=start, seed=seed),
    )
    controller = CarbCountingController(np.random.default_rng(seed))
    run = sg.SimObj(
        env, controller, timedelta(days=days), animate=False, path=os.devnull
    )
    with contextlib.redirect_stdout(io.StringIO()):  # the simulator prints its progress
        run.simulate()
    frame = run.results()[["CGM", "BG", "CHO", "insulin"]].iloc[:-1].copy()
    frame.insert(0, "patient", patient)
    frame.index.name = "time"
    return frame


def make_glucose_cohort(
    patients, days: float, seed: int = 0, workers: int | None = None
) -> DataBundle:
    """SIMULATED traces of ``patients`` for ``days`` days each (its own seed per patient, run in
    parallel processes). ``data`` is one table indexed by time: patient, CGM, BG (true blood
    glucose), CHO (carbohydrates, g/min) and insulin (U/min)."""
    patients = list(patients)
    if not patients:
        raise InputError("no patients given")
    unknown = [p for p in patients if p not in GLUCOSE_PATIENTS]
    if unknown:
        raise InputError(
            f"unknown virtual patient(s) {unknown}; choose from {GLUCOSE_PATIENTS[0]} ... {GLUCOSE_PATIENTS[-1]}"
        )
    seeds = [seed * 1000 + GLUCOSE_PATIENTS.index(p) for p in patients]
    workers = workers or min(len(patients), os.cpu_count() or 1)
    if workers == 1:
        parts = [simulate_patient(p, days, s) for p, s in zip(patients, seeds)]
    else:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(
                pool.map(simulate_patient, patients, [days] * len(patients), seeds)
            )
    cohort = pd.concat(parts)
    return DataBundle(
        name="glucose-cohort",
        data=cohort,
        feature_names=("CGM", "BG", "CHO", "insulin"),
        description=f"SIMULATED (simglucose, UVA/Padova): {len(patients)} virtual patients x {days:g} days, "
        f"CGM every {SAMPLE_MINUTES} minutes, seed {seed}.",
        licence=SIMULATED,
        citation="Xie J. simglucose (2018), the UVA/Padova simulator in Python; "
        "Dalla Man C et al. J Diabetes Sci Technol 8(1):26-34 (2014).",
    )
