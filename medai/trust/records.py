"""Who may see which patient rows, and an audit log no one can quietly edit.

A small SQLite store of patients with three roles: a *clinician* reads the identified rows of
their own hospital, a *researcher* reads de-identified rows of every hospital (no record number,
age in ten-year bands with 90 and over pooled, as HIPAA Safe Harbor asks), an *auditor* reads only
the log. Every access, allowed or denied, is appended to a hash-chained log: each entry stores
the sha256 of the previous entry together with its own fields, so editing, deleting or reordering
any entry breaks the chain at that entry. Appends run inside one immediate transaction, so
concurrent writers cannot interleave and fork the chain.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import InputError, MedaiError

ROLES = ("clinician", "researcher", "auditor")
GENESIS = "0" * 64


class AccessDenied(MedaiError):
    """The role may not do this (the attempt is logged)."""


def _entry_hash(previous: str, fields: dict) -> str:
    return hashlib.sha256((previous + json.dumps(fields, sort_keys=True)).encode()).hexdigest()


def deidentify(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows without the record number, ages in ten-year bands (90 and over as one band)."""
    out = rows.drop(columns=["record"])
    age = out.pop("age")
    band = (np.minimum(age, 90) // 10 * 10).astype("Int64")
    out.insert(1, "age band", [("90+" if b >= 90 else f"{b}-{b + 9}") if pd.notna(b) else None for b in band])
    return out


class RecordStore:
    """Patients and the audit log in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS audit (idx INTEGER PRIMARY KEY, fields TEXT NOT NULL, "
                       "previous TEXT NOT NULL, hash TEXT NOT NULL)")  # fmt: skip

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def load_patients(self, frame: pd.DataFrame) -> None:
        """Store ``frame`` (needs ``site`` and ``age``); each row gets a record number like ``CLE-0001``
        (assigned here: the public data carry none)."""
        if not {"site", "age"} <= set(frame.columns):
            raise InputError("the patient table needs 'site' and 'age' columns")
        rows = frame.reset_index(drop=True).copy()
        rows.insert(0, "record", [f"{s[:3].upper()}-{i:04d}" for i, s in enumerate(rows["site"], start=1)])
        with self._connect() as db:
            rows.to_sql("patients", db, if_exists="replace", index=False)

    def log(self, user: str, role: str, action: str, allowed: bool, detail: str = "") -> int:
        """Append one entry; returns its index."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time: read the tip and append atomically
            try:
                tip = db.execute("SELECT idx, hash FROM audit ORDER BY idx DESC LIMIT 1").fetchone()
                index, previous = (tip[0] + 1, tip[1]) if tip else (0, GENESIS)
                fields = {"index": index, "time": round(time.time(), 6), "user": user, "role": role,
                          "action": action, "allowed": bool(allowed), "detail": detail}  # fmt: skip
                db.execute("INSERT INTO audit VALUES (?, ?, ?, ?)",
                           (index, json.dumps(fields, sort_keys=True), previous, _entry_hash(previous, fields)))  # fmt: skip
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return index

    def _check_role(self, user: str, role: str, action: str) -> None:
        if role not in ROLES:
            self.log(user, role, action, False, "unknown role")
            raise InputError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")

    def read_patients(self, user: str, role: str, site: str | None = None) -> pd.DataFrame:
        """What ``role`` may see: a clinician their ``site``'s identified rows, a researcher all rows
        de-identified; an auditor nothing (denied and logged)."""
        action = f"read patients{'' if site is None else f' of {site}'}"
        self._check_role(user, role, action)
        if role == "auditor" or (role == "clinician" and site is None):
            reason = "auditors read only the log" if role == "auditor" else "a clinician must name their hospital"
            self.log(user, role, action, False, reason)
            raise AccessDenied(f"{user} ({role}) may not {action}: {reason}")
        with self._connect() as db:
            if role == "clinician":
                rows = pd.read_sql("SELECT * FROM patients WHERE site = ?", db, params=(site,))
            else:
                rows = pd.read_sql("SELECT * FROM patients", db)
        self.log(user, role, action, True, f"{len(rows)} rows")
        return rows if role == "clinician" else deidentify(rows)

    def read_log(self, user: str, role: str) -> pd.DataFrame:
        """The audit log, for auditors only (every attempt is itself logged)."""
        self._check_role(user, role, "read the audit log")
        if role != "auditor":
            self.log(user, role, "read the audit log", False, "only auditors read the log")
            raise AccessDenied(f"{user} ({role}) may not read the audit log")
        self.log(user, role, "read the audit log", True)
        with self._connect() as db:
            entries = db.execute("SELECT fields FROM audit ORDER BY idx").fetchall()
        return pd.DataFrame([json.loads(f) for (f,) in entries])


def verify_log(path: str | Path) -> int | None:
    """The index (position in the file) of the first entry whose chain is broken, or None if intact."""
    with sqlite3.connect(path) as db:
        entries = db.execute("SELECT idx, fields, previous, hash FROM audit ORDER BY rowid").fetchall()
    previous = GENESIS
    for position, (index, fields, stored_previous, stored_hash) in enumerate(entries):
        parsed = json.loads(fields)
        if (stored_previous != previous or parsed.get("index") != position or index != position
                or _entry_hash(previous, parsed) != stored_hash):  # fmt: skip
            return position
        previous = stored_hash
    return None
