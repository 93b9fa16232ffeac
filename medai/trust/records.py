"""Who may see which patient rows, and an audit log that shows an edit to whoever verifies it.

A small SQLite store of patients with three roles: a *clinician* reads the identified rows of
their own hospital, a *researcher* reads de-identified rows of every hospital (no record number,
age in ten-year bands with 90 and over pooled, as HIPAA Safe Harbor asks), an *auditor* reads only
the log. Every access, allowed or denied, is appended to a chained log: each entry stores an
HMAC-SHA256, under the audit key, of the previous entry's seal and its own fields, so editing,
deleting or reordering any entry but the newest breaks the chain at that entry. Appends run inside one immediate
transaction, so concurrent writers cannot interleave and fork the chain.

Threat model. The key is held by the service that writes the log (from a key vault or the
environment), never by the database: someone who can write the database file (an administrator, a
stolen backup) can edit an entry and recompute every later seal, but without the key the seals are
wrong and ``verify_log`` finds the first edited entry. Who holds the key can forge the log. Cutting
off the newest entries, or every entry, leaves a valid chain (an empty one is valid too); keep
``log_head`` somewhere else (another system, a printout) and pass it to ``verify_log`` as ``anchor``
to find that too.
"""

from __future__ import annotations

import hashlib
import hmac
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


def _seal(key: bytes, previous: str, fields: dict) -> str:
    return hmac.new(key, (previous + json.dumps(fields, sort_keys=True)).encode(), hashlib.sha256).hexdigest()


def _checked_key(key: bytes) -> bytes:
    if not isinstance(key, bytes) or len(key) < 16:
        raise InputError("the audit key must be at least 16 random bytes (for example secrets.token_bytes(32)), "
                         "kept outside the database")  # fmt: skip
    return key


def deidentify(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows without the record number, ages in ten-year bands (90 and over as one band)."""
    out = rows.drop(columns=["record"])
    age = out.pop("age")
    band = (np.minimum(age, 90) // 10 * 10).astype("Int64")
    out.insert(1, "age band", [("90+" if b >= 90 else f"{b}-{b + 9}") if pd.notna(b) else None for b in band])
    return out


class RecordStore:
    """Patients and the audit log in one SQLite file."""

    def __init__(self, path: str | Path, audit_key: bytes) -> None:
        self.path, self._key = Path(path), _checked_key(audit_key)
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
                           (index, json.dumps(fields, sort_keys=True), previous, _seal(self._key, previous, fields)))  # fmt: skip
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


def _entries(path: str | Path) -> list[tuple]:
    # sqlite3.connect would create a missing file and then fail on the missing table: say what is wrong.
    if not Path(path).is_file():
        raise InputError(f"no audit log at {path}")
    try:
        with sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True) as db:
            return db.execute("SELECT idx, fields, previous, hash FROM audit ORDER BY rowid").fetchall()
    except sqlite3.DatabaseError as error:
        raise InputError(f"{path} is not an audit log ({error})") from None


def log_head(path: str | Path) -> tuple[int, str]:
    """The number of entries and the newest entry's seal: keep it outside the database."""
    entries = _entries(path)
    return len(entries), entries[-1][3] if entries else GENESIS


def verify_log(path: str | Path, key: bytes, anchor: tuple[int, str] | None = None) -> int | None:
    """The index (position in the file) of the first entry whose chain is broken, or None if intact.

    With ``anchor`` (an earlier ``log_head``), entries cut off after it are found too: the answer is
    the first missing index, or the anchored entry's if its seal changed."""
    key, entries = _checked_key(key), _entries(path)
    previous = GENESIS
    for position, (index, fields, stored_previous, stored_seal) in enumerate(entries):
        parsed = json.loads(fields)
        if (stored_previous != previous or parsed.get("index") != position or index != position
                or not hmac.compare_digest(_seal(key, previous, parsed), stored_seal)):  # fmt: skip
            return position
        previous = stored_seal
    if anchor is not None:
        count, seal = anchor
        if len(entries) < count:
            return len(entries)
        if count and entries[count - 1][3] != seal:
            return count - 1
    return None


def reseal_from(path: str | Path, start: int, seal) -> None:
    """What someone who can write the database does after editing entry ``start``: recompute every
    seal from there on with ``seal(previous, fields)``. Without the audit key ``verify_log`` still
    finds ``start`` (chapter 9 shows it; the tests check it)."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT idx, fields, previous FROM audit WHERE idx >= ? ORDER BY idx", (start,)).fetchall()
        previous = rows[0][2] if rows else GENESIS
        for index, fields, _ in rows:
            new = seal(previous, json.loads(fields))
            db.execute("UPDATE audit SET previous = ?, hash = ? WHERE idx = ?", (previous, new, index))
            previous = new
