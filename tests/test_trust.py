"""Chapter 9: federated training, DP-SGD and membership inference, encryption at rest, roles and the
audit chain, encrypted inference."""

from __future__ import annotations

import sqlite3
import threading

import numpy as np
import pandas as pd
import pytest
import torch

from medai.core.errors import InputError
from medai.core.metrics import auroc

# --- encryption at rest --------------------------------------------------------------------


def test_aes_gcm_round_trip_is_exact_and_every_tampering_is_caught(tmp_path):
    from medai.trust.encryption import (
        DecryptionError,
        decrypt_file,
        encrypt_file,
        new_key,
    )

    plain = tmp_path / "patients.csv"
    plain.write_bytes(bytes(range(256)) * 40)
    key = new_key()
    locked = encrypt_file(plain, tmp_path / "patients.csv.enc", key)
    assert decrypt_file(locked, key) == plain.read_bytes()
    again = encrypt_file(plain, tmp_path / "second.enc", key)
    assert locked.read_bytes()[9:21] != again.read_bytes()[9:21]  # a fresh nonce per file
    with pytest.raises(DecryptionError, match="wrong key"):
        decrypt_file(locked, new_key())
    flipped = bytearray(locked.read_bytes())
    flipped[40] ^= 1
    (tmp_path / "flipped.enc").write_bytes(bytes(flipped))
    with pytest.raises(DecryptionError):
        decrypt_file(tmp_path / "flipped.enc", key)
    renamed = tmp_path / "other.enc"
    renamed.write_bytes(locked.read_bytes())  # the name is bound: a swapped file does not decrypt
    with pytest.raises(DecryptionError, match="renamed"):
        decrypt_file(renamed, key)
    with pytest.raises(DecryptionError, match="not a file encrypted by medai"):
        decrypt_file(plain, key)
    with pytest.raises(InputError, match="overwrite its own plaintext"):
        encrypt_file(plain, plain, key)
    assert not list(tmp_path.glob("*.partial"))  # nothing half-written left behind


def test_files_bound_to_their_record_do_not_swap_even_with_the_same_name(tmp_path):
    from medai.trust.encryption import DecryptionError, decrypt_file, encrypt_file, new_key

    key, locked = new_key(), {}
    for site in ("cleveland", "va"):
        (tmp_path / site).mkdir()
        plain = tmp_path / site / "patients.csv"
        plain.write_text(f"rows of {site}\n")
        locked[site] = encrypt_file(plain, tmp_path / site / "patients.csv.enc", key, record_id=f"{site}/patients")
    assert decrypt_file(locked["va"], key, record_id="va/patients") == b"rows of va\n"
    locked["cleveland"].write_bytes(locked["va"].read_bytes())  # VA's file put in Cleveland's place
    with pytest.raises(DecryptionError):
        decrypt_file(locked["cleveland"], key, record_id="cleveland/patients")
    with pytest.raises(DecryptionError):  # bound to a record, it does not open by its file name alone
        decrypt_file(locked["va"], key)
    with pytest.raises(InputError, match="non-empty string"):
        encrypt_file(tmp_path / "va" / "patients.csv", tmp_path / "x.enc", key, record_id=" ")
    # The limit without an identifier: the file name alone tells apart only the files of one folder.
    for site in ("cleveland", "va"):
        encrypt_file(tmp_path / site / "patients.csv", tmp_path / site / "patients.csv.enc", key)
    locked["cleveland"].write_bytes(locked["va"].read_bytes())
    assert decrypt_file(locked["cleveland"], key) == b"rows of va\n"


def test_keys_come_from_the_environment_or_a_file_and_bad_ones_are_refused(tmp_path, monkeypatch):
    from medai.trust.encryption import KEY_VARIABLE, load_key

    monkeypatch.setenv(KEY_VARIABLE, "ab" * 32)
    assert load_key() == bytes.fromhex("ab" * 32)
    (tmp_path / "key").write_text("cd" * 32 + "\n")
    assert load_key(tmp_path / "key") == bytes.fromhex("cd" * 32)
    monkeypatch.setenv(KEY_VARIABLE, "ab" * 16)
    with pytest.raises(InputError, match="16 bytes"):
        load_key()
    monkeypatch.setenv(KEY_VARIABLE, "not hex")
    with pytest.raises(InputError, match="not hexadecimal"):
        load_key()
    monkeypatch.delenv(KEY_VARIABLE)
    with pytest.raises(InputError, match="no key"):
        load_key()
    with pytest.raises(InputError, match="cannot read the key file"):
        load_key(tmp_path / "missing")
    (tmp_path / "binary").write_bytes(bytes(range(128, 256)))  # 32 raw bytes saved where hex was expected
    with pytest.raises(InputError, match="is not text"):
        load_key(tmp_path / "binary")


def test_a_checkpoint_survives_encryption(tmp_path):
    from medai.trust.encryption import decrypt_file, encrypt_file, new_key

    model = torch.nn.Linear(13, 1)
    torch.save(model.state_dict(), tmp_path / "model.pt")
    key = new_key()
    encrypt_file(tmp_path / "model.pt", tmp_path / "model.pt.enc", key)
    decrypt_file(tmp_path / "model.pt.enc", key, tmp_path / "restored.pt")
    restored = torch.load(tmp_path / "restored.pt", weights_only=True)
    assert all(torch.equal(restored[k], v) for k, v in model.state_dict().items())


# --- roles and the audit chain --------------------------------------------------------------

KEY = bytes(range(32))  # the audit service's key; the database never holds it


@pytest.fixture()
def store(tmp_path):
    from medai.trust.records import RecordStore

    frame = pd.DataFrame({"site": ["cleveland", "cleveland", "va"], "age": [45.0, 93.0, 61.0], "chol": [200, 240, 180]})
    s = RecordStore(tmp_path / "records.db", KEY)
    s.load_patients(frame)
    return s


def test_each_role_sees_exactly_what_it_may(store):
    from medai.trust.records import AccessDenied

    mine = store.read_patients("dr.a", "clinician", site="cleveland")
    assert mine["record"].tolist() == ["CLE-0001", "CLE-0002"] and mine["age"].tolist() == [45.0, 93.0]
    research = store.read_patients("r.b", "researcher")
    assert "record" not in research and "age" not in research
    assert research["age band"].tolist() == ["40-49", "90+", "60-69"]
    for call in (lambda: store.read_patients("aud", "auditor"), lambda: store.read_patients("dr.a", "clinician"),
                 lambda: store.read_log("r.b", "researcher")):  # fmt: skip
        with pytest.raises(AccessDenied):
            call()
    with pytest.raises(InputError, match="unknown role"):
        store.read_patients("x", "admin")
    log = store.read_log("aud", "auditor")
    assert log["allowed"].tolist() == [True, True, False, False, False, False, True]
    assert log["role"].tolist()[-2] == "admin"  # the refused unknown role is logged too


def test_editing_deleting_or_reordering_the_log_is_found_at_its_entry(store):
    from medai.trust.records import verify_log

    for i in range(6):
        store.log(f"user{i}", "researcher", "read patients", True)
    assert verify_log(store.path, KEY) is None
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE audit SET fields = replace(fields, 'user3', 'user9') WHERE idx = 3")
    assert verify_log(store.path, KEY) == 3
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE audit SET fields = replace(fields, 'user9', 'user3') WHERE idx = 3")
        db.execute("DELETE FROM audit WHERE idx = 2")
    assert verify_log(store.path, KEY) == 2
    store2 = type(store)(store.path.with_name("b.db"), KEY)
    for i in range(4):
        store2.log(f"user{i}", "researcher", "read", True)
    with sqlite3.connect(store2.path) as db:  # swap the contents of entries 1 and 2
        rows = db.execute("SELECT idx, fields, previous, hash FROM audit WHERE idx IN (1, 2) ORDER BY idx").fetchall()
        db.execute("UPDATE audit SET fields=?, previous=?, hash=? WHERE idx=1", rows[1][1:])
        db.execute("UPDATE audit SET fields=?, previous=?, hash=? WHERE idx=2", rows[0][1:])
    assert verify_log(store2.path, KEY) == 1


def test_deleting_every_entry_is_found_against_the_anchor_and_the_limit_is_stated(store):
    from medai.trust.records import log_head, verify_log

    for i in range(3):
        store.log(f"user{i}", "researcher", "read patients", True)
    head = log_head(store.path)
    with sqlite3.connect(store.path) as db:
        db.execute("DELETE FROM audit")
    assert verify_log(store.path, KEY, anchor=head) == 0  # the first missing entry
    assert verify_log(store.path, KEY) is None  # an empty chain is a valid chain: the module says so


def test_an_edit_resealed_without_the_key_is_still_found_and_a_cut_only_against_the_anchor(store):
    import hashlib
    import hmac
    import json

    from medai.trust.records import log_head, reseal_from, verify_log

    for i in range(6):
        store.log(f"user{i}", "researcher", "read patients", True)
    head = log_head(store.path)
    assert head[0] == 6 and verify_log(store.path, KEY, anchor=head) is None
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE audit SET fields = replace(fields, 'user2', 'user7') WHERE idx = 2")

    def unkeyed(previous, fields):  # the old design: anyone could recompute it
        return hashlib.sha256((previous + json.dumps(fields, sort_keys=True)).encode()).hexdigest()

    def guessed(previous, fields):
        return hmac.new(b"not the key 1234", (previous + json.dumps(fields, sort_keys=True)).encode(), "sha256").hexdigest()

    for forge in (unkeyed, guessed):
        reseal_from(store.path, 2, forge)
        assert verify_log(store.path, KEY) == 2
    reseal_from(store.path, 2, lambda previous, fields: hmac.new(KEY, (previous + json.dumps(fields, sort_keys=True)).encode(),
                                                               "sha256").hexdigest())  # fmt: skip
    assert verify_log(store.path, KEY) is None  # who holds the key can forge: the threat model says so
    with sqlite3.connect(store.path) as db:  # cut off the two newest entries
        db.execute("DELETE FROM audit WHERE idx >= 4")
    assert verify_log(store.path, KEY) is None and verify_log(store.path, KEY, anchor=head) == 4
    with pytest.raises(InputError, match="at least 16 random bytes"):
        verify_log(store.path, b"short")
    missing = store.path.with_name("missing.db")
    with pytest.raises(InputError, match="no audit log"):
        verify_log(missing, KEY)
    assert not missing.exists()  # checking a log never creates one
    junk = store.path.with_name("junk.db")
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError, match="not an audit log"):
        verify_log(junk, KEY)
    with pytest.raises(InputError, match="audit key"):
        type(store)(store.path, "a password")


def test_concurrent_writers_keep_one_chain(store):
    from medai.trust.records import verify_log

    def write(n):
        for i in range(25):
            store.log(f"writer{n}", "researcher", f"read {i}", True)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert verify_log(store.path, KEY) is None
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT count(*) FROM audit").fetchone()[0] == 100


# --- federated learning ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def clients():
    from medai.datasets import load_uci_heart_disease
    from medai.trust.federated import site_clients

    heart = load_uci_heart_disease()
    return site_clients(heart.data, heart.target, heart.frame["site"], seed=0)


def test_federated_scaling_equals_pooled_statistics(clients):
    from medai.trust.federated import federated_scaling

    mean, std = federated_scaling(clients)
    pooled = np.vstack([c.X_train for c in clients])
    assert np.allclose(mean, np.nanmean(pooled, axis=0))
    assert np.allclose(std, np.where(np.nanstd(pooled, axis=0) > 0, np.nanstd(pooled, axis=0), 1.0))


def test_fedavg_with_one_client_and_one_epoch_is_local_training(clients):
    from medai.trust.federated import (
        as_tensor,
        federated_scaling,
        federated_training,
        local_train,
        make_model,
    )

    scaling = federated_scaling(clients[:1])
    fed, _ = federated_training(make_model("logistic", 13), clients[:1], scaling, rounds=1, local_epochs=1, seed=0)
    local = local_train(make_model("logistic", 13), as_tensor(clients[0].X_train, *scaling), clients[0].y_train,
                        epochs=1, seed=0)  # fmt: skip
    assert all(torch.allclose(a, b) for a, b in zip(fed.state_dict().values(), local.state_dict().values()))


def test_fedavg_learns_from_all_hospitals(clients):
    from medai.trust.federated import (
        federated_scaling,
        federated_training,
        make_model,
        predict_proba,
    )

    scaling = federated_scaling(clients)
    X_test = np.vstack([c.X_test for c in clients])
    y_test = np.concatenate([c.y_test for c in clients])

    def pooled_auroc(model):
        return auroc(y_test, predict_proba(model, X_test, scaling))

    model, history = federated_training(make_model("logistic", 13), clients, scaling, rounds=10, local_epochs=1,
                                        seed=0, evaluate=pooled_auroc)  # fmt: skip
    assert len(history) == 10 and history[-1] > 0.8 and history[-1] > history[0] + 0.2  # it learns round by round
    prox, _ = federated_training(make_model("logistic", 13), clients, scaling, rounds=10, local_epochs=1, mu=0.5, seed=0)
    assert pooled_auroc(prox) > 0.8
    with pytest.raises(InputError, match="rounds"):
        federated_training(make_model("mlp", 13), clients, scaling, rounds=0, local_epochs=1)
    with pytest.raises(InputError, match="unknown model kind"):
        make_model("forest", 13)


# --- differential privacy -------------------------------------------------------------------


def test_dp_sgd_reports_its_epsilon_and_refuses_bad_ones(clients):
    pytest.importorskip("opacus")
    from medai.trust.dp import train_private
    from medai.trust.federated import as_tensor, federated_scaling, make_model

    scaling = federated_scaling(clients)
    X = as_tensor(np.vstack([c.X_train for c in clients]), *scaling)
    y = np.concatenate([c.y_train for c in clients])
    _, spent = train_private(make_model("logistic", 13), X, y, epsilon=2.0, delta=1 / len(y), epochs=3)
    assert 0 < spent <= 2.0 + 1e-6
    _, none = train_private(make_model("logistic", 13), X, y, epsilon=None, delta=1 / len(y), epochs=1)
    assert none is None
    for bad in (0.0, -1.0):
        with pytest.raises(InputError, match="epsilon must be positive"):
            train_private(make_model("logistic", 13), X, y, epsilon=bad, delta=1e-3, epochs=1)


def test_the_membership_attack_sees_memorisation():
    from medai.trust.dp import membership_attack_auroc

    torch.manual_seed(0)
    X_in, X_out = torch.randn(40, 30), torch.randn(40, 30)
    y_in, y_out = np.random.default_rng(0).integers(0, 2, 40), np.random.default_rng(1).integers(0, 2, 40)
    model = torch.nn.Linear(30, 1)  # 31 parameters for 40 random labels: it can memorise them
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    for _ in range(500):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(X_in).squeeze(1), torch.as_tensor(y_in, dtype=torch.float32))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    # members all have near-zero loss; unseen rows only when the memorised rule happens to fit them
    assert membership_attack_auroc(model, (X_in, y_in), (X_out, y_out)) > 0.65
    untrained = torch.nn.Linear(30, 1)
    assert 0.3 < membership_attack_auroc(untrained, (X_in, y_in), (X_out, y_out)) < 0.7


def test_the_attack_reports_true_positives_at_a_low_false_positive_rate():
    from medai.trust.dp import membership_attack

    model = torch.nn.Linear(1, 1)
    with torch.no_grad():  # logit = x and every label 1: the loss falls as x grows, so the score is x
        model.weight.fill_(1.0)
        model.bias.fill_(0.0)
    members = torch.arange(0, 100, dtype=torch.float32).unsqueeze(1) / 10  # 0.0 ... 9.9
    unseen = torch.arange(-50, 50, dtype=torch.float32).unsqueeze(1) / 10  # -5.0 ... 4.9
    ones = np.ones(100)
    result = membership_attack(model, (members, ones), (unseen, ones), fprs=(0.01, 0.001))
    # 1% of 100 unseen rows: one may be flagged, so the cut is the second highest (4.8): members above it
    assert result["tpr@0.01"] == pytest.approx(0.51)
    assert result["tpr@0.001"] == pytest.approx(0.50)  # no false accusation allowed: above 4.9
    assert 0.5 < result["auroc"] < 1
    with pytest.raises(InputError, match="false-positive rates"):
        membership_attack(model, (members, ones), (unseen, ones), fprs=(0.0,))


# --- encrypted inference --------------------------------------------------------------------


def test_the_server_scores_a_patient_it_cannot_read():
    pytest.importorskip("tenseal")
    from medai.trust.encrypted_inference import (
        back_to_hospital,
        ckks_context,
        decrypt_logit,
        encrypt_patient,
        encrypted_logit,
        send_to_server,
    )  # fmt: skip

    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=13), rng.normal(size=13), 0.3
    context = ckks_context()
    public, on_server, size = send_to_server(context, encrypt_patient(context, x))
    result = encrypted_logit(on_server, w, b)
    with pytest.raises(ValueError, match="secret_key"):
        result.decrypt()  # the server's context has no secret key
    assert abs(decrypt_logit(back_to_hospital(context, result)) - (x @ w + b)) < 1e-3
    assert size > 10_000  # a ciphertext is far bigger than 13 numbers
    with pytest.raises(InputError, match="13 features, the model has 12"):
        encrypted_logit(on_server, w[:12], b)
    with pytest.raises(InputError, match="finite"):
        encrypt_patient(context, np.full(13, np.nan))
