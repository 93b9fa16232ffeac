"""Chapter 4.3: the encounter loader, the readmission cohort, splits by patient, ICD-9 groups, the token
vocabulary, the baselines' inputs, the network and the patient-tracking sequences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from medai.core.errors import InputError
from medai.datasets import DataError, load_diabetes_code_names, load_diabetes_encounters
from medai.datasets import diabetes as diabetes_module
from medai.records.codes import GROUPS, icd9_group, icd9_groups
from medai.records.cohort import EXCLUDED_DISCHARGES, patient_split, readmission_cohort
from medai.records.network import RecordNet
from medai.records.tabular import token_matrix, tree_table
from medai.records.tokens import CATEGORICAL, COUNTS, DIAGNOSES, RecordVocabulary
from medai.records.tracking import NextVisitGRU, diagnosis_groups, recall_at_k, visit_sequences


def encounter(encounter_id, patient, readmitted="NO", discharge=1, diag_1="428", **fields):
    """One encounter with every column the vocabulary reads, ordinary values unless given."""
    row = {c: "No" for c in CATEGORICAL}
    row.update(race="Caucasian", gender="Female", age="[70-80)", weight=np.nan, admission_type_id=1,
               admission_source_id=7, payer_code=np.nan, medical_specialty=np.nan, max_glu_serum="None",
               A1Cresult="None", change="No", diabetesMed="Yes")  # fmt: skip
    row.update({c: 3 for c in COUNTS})
    row.update(encounter_id=encounter_id, patient_nbr=patient, readmitted=readmitted,
               discharge_disposition_id=discharge, diag_1=diag_1, diag_2="250.01", diag_3=np.nan)  # fmt: skip
    row.update(fields)
    return row


@pytest.fixture(scope="module")
def real():
    return load_diabetes_encounters()


def test_the_real_table_has_the_documented_counts(real):
    assert len(real) == 101_766 and real.frame["patient_nbr"].nunique() == 71_518
    assert real.target_names == ("<30", ">30", "NO") and "readmitted" not in real.data
    assert (real.target == "<30").sum() == 11_357
    # "None" (test not done) is a category, not missing; "?" is missing.
    assert (real.data["A1Cresult"] == "None").sum() == 84_748
    assert real.data["weight"].isna().sum() == 98_569
    assert real.data["diag_1"].map(type).eq(str).sum() == 101_766 - 21  # codes stay text ("V57", "250.83")
    names = load_diabetes_code_names()
    assert names["discharge_disposition_id"][11] == "Expired" and len(names["admission_source_id"]) == 25


def test_the_paper_cohort_first_stays_without_hospice_or_death(real):
    cohort = readmission_cohort(real.frame)
    assert len(cohort) == 69_973 and cohort["readmitted_30"].sum() == 6_277
    assert cohort["patient_nbr"].is_unique
    assert not cohort["discharge_disposition_id"].isin(EXCLUDED_DISCHARGES).any()


def test_cohort_keeps_the_lowest_encounter_id_then_drops_excluded_discharges():
    frame = pd.DataFrame([
        encounter(30, "a", readmitted="<30"), encounter(10, "a", readmitted="NO"),  # first is id 10
        encounter(5, "b", discharge=11), encounter(7, "b", readmitted="<30"),  # first stay ended in death
        encounter(8, "c", readmitted="<30"),
    ])  # fmt: skip
    cohort = readmission_cohort(frame)
    assert cohort["encounter_id"].tolist() == [8, 10]  # b's first stay is excluded, not replaced
    assert cohort["readmitted_30"].tolist() == [1, 0]
    with pytest.raises(InputError, match="readmitted"):
        readmission_cohort(frame.drop(columns="readmitted"))


def test_patient_split_keeps_each_patient_on_one_side():
    patients = np.repeat(np.arange(200), 3)
    train, val, test = patient_split(patients, seed=1)
    assert len(train) + len(val) + len(test) == len(patients)
    sides = [set(patients[s]) for s in (train, val, test)]
    assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
    assert [len(s) for s in sides] == [140, 30, 30]
    assert np.array_equal(patient_split(patients, seed=1)[2], test)
    assert not np.array_equal(patient_split(patients, seed=2)[2], test)
    with pytest.raises(InputError, match="fractions"):
        patient_split(patients, (0.5, 0.5, 0.0))
    with pytest.raises(InputError, match="at least 3"):
        patient_split([1, 1, 2])


@pytest.mark.parametrize(
    "code, group",
    [("250.83", "diabetes"), ("250", "diabetes"), ("428", "circulatory"), ("785", "symptoms/ill-defined"),
     ("8", "infectious"), ("139.9", "infectious"), ("140", "neoplasms"), ("V57", "supplementary (V)"),
     ("e909", "external cause (E)"), ("999", "injury/poisoning"), ("276", "endocrine/metabolic")],
)  # fmt: skip
def test_icd9_groups(code, group):
    assert icd9_group(code) == group


def test_icd9_refuses_what_is_not_a_code():
    assert icd9_group(None) is None and icd9_group(np.nan) is None
    with pytest.raises(InputError, match="not an ICD-9-CM code"):
        icd9_group("heart failure")
    with pytest.raises(InputError, match="outside"):
        icd9_group("1200")
    assert icd9_groups(pd.Series(["428", None, "V57"])).tolist()[::2] == ["circulatory", "supplementary (V)"]


def test_every_real_code_has_a_group(real):
    for column in DIAGNOSES:
        groups = icd9_groups(real.data[column])
        assert groups.notna().sum() == real.data[column].notna().sum()
        assert set(groups.dropna()) <= set(GROUPS)


def test_vocabulary_learns_from_training_rows_only_and_pools_rare_values():
    train = pd.DataFrame([encounter(i, i, diag_1="428") for i in range(30)]
                         + [encounter(100, 100, diag_1="414")])  # fmt: skip
    vocabulary = RecordVocabulary(min_count=5).fit(train)
    assert "diag_1=428" in vocabulary.tokens and "diag_1=414" not in vocabulary.tokens
    unseen = pd.DataFrame([encounter(200, 200, diag_1="414", race="Asian"), encounter(201, 201)])
    ids = vocabulary.encode(unseen)
    assert ids.shape == (2, len(vocabulary.fields)) and ids.dtype == torch.long
    column = list(vocabulary.fields).index("diag_1")
    assert ids[0, column] == vocabulary.tokens["diag_1=<rare>"]
    assert ids[1, column] == vocabulary.tokens["diag_1=428"]
    group = list(vocabulary.fields).index("diag_1_group")
    assert ids[0, group] == ids[1, group] == vocabulary.tokens["diag_1_group=circulatory"]
    assert ids[0, list(vocabulary.fields).index("race")] == vocabulary.tokens["race=<rare>"]
    assert ids[:, list(vocabulary.fields).index("weight")].tolist() == [vocabulary.tokens["weight=?"]] * 2
    assert (ids != 0).all()  # the padding token never stands for a value
    with pytest.raises(InputError, match="fit"):
        RecordVocabulary().encode(unseen)
    with pytest.raises(InputError, match="insulin"):
        RecordVocabulary().fit(train.drop(columns="insulin"))


def test_counts_are_binned_at_training_quantiles():
    train = pd.DataFrame([encounter(i, i, num_medications=i) for i in range(100)])
    vocabulary = RecordVocabulary(min_count=1, bins=4).fit(train)
    low, high = vocabulary.encode(pd.DataFrame([encounter(1, 1, num_medications=0),
                                                encounter(2, 2, num_medications=500)]))  # fmt: skip
    column = list(vocabulary.fields).index("num_medications")
    assert vocabulary.tokens["num_medications=q0"] == low[column]
    assert vocabulary.tokens["num_medications=q3"] == high[column]


def test_baseline_inputs_match_the_tokens():
    frame = pd.DataFrame([encounter(i, i, diag_1=("428" if i % 2 else "414")) for i in range(40)])
    vocabulary = RecordVocabulary(min_count=5).fit(frame)
    ids = vocabulary.encode(frame).numpy()
    onehot = token_matrix(ids, len(vocabulary))
    assert onehot.shape == (40, len(vocabulary)) and (onehot.sum(1) == len(vocabulary.fields)).all()
    table = tree_table(frame, vocabulary)
    assert list(table.columns) == list(vocabulary.fields)
    assert table["num_medications"].dtype == float
    # Categories come from the vocabulary, so a split that lacks a value still agrees with the others.
    part = tree_table(frame.iloc[:1], vocabulary)
    assert list(part["diag_1"].cat.categories) == list(table["diag_1"].cat.categories)


def test_record_net_outputs_two_logits_and_ignores_padding():
    torch.manual_seed(0)
    net = RecordNet(50, dim=8, hidden=16).eval()
    tokens = torch.randint(1, 50, (4, 10))
    assert net(tokens).shape == (4, 2)
    padded = torch.cat([tokens, torch.zeros(4, 3, dtype=torch.long)], 1)
    torch.testing.assert_close(net(tokens), net(padded))


def test_visit_sequences_in_encounter_order_with_the_next_stay_as_target():
    frame = pd.DataFrame([
        encounter(3, "p", diag_1="486", readmitted="NO"),  # third stay: respiratory
        encounter(1, "p", diag_1="428", readmitted="<30"),  # first stay, back within 30 days
        encounter(2, "p", diag_1="V57", readmitted=">30"),
        encounter(9, "q", diag_1="428"),  # one stay only: no example
    ])  # fmt: skip
    vocabulary = RecordVocabulary(min_count=1).fit(frame)
    sequences = visit_sequences(frame, vocabulary, max_visits=8)
    assert len(sequences) == 2 and sequences.patients.tolist() == ["p", "p"]
    respiratory, circulatory, supplementary = (GROUPS.index(g) for g in
                                               ("respiratory", "circulatory", "supplementary (V)"))  # fmt: skip
    first, second = sequences.targets.numpy()
    assert first[supplementary] == 1 and first[-1] == 1  # stay 2 came within 30 days of stay 1
    assert second[respiratory] == 1 and second[-1] == 0  # stay 3 came after more than 30 days
    assert sequences.last_groups[0][circulatory] == 1 and sequences.last_groups[1][supplementary] == 1
    ordered = frame.sort_values("encounter_id").iloc[:2]
    assert torch.equal(sequences.inputs[1, :2], vocabulary.encode(ordered))
    assert (sequences.inputs[0, 1:] == 0).all() and (sequences.inputs[1, 2:] == 0).all()
    short = visit_sequences(frame, vocabulary, max_visits=1)
    assert torch.equal(short.inputs[1, 0], vocabulary.encode(frame.iloc[[2]])[0])  # only the latest stay
    with pytest.raises(InputError, match="max_visits"):
        visit_sequences(frame, vocabulary, max_visits=0)
    net = NextVisitGRU(len(vocabulary), sequences.targets.shape[1], dim=8, hidden=8)
    assert net(sequences.inputs).shape == (2, len(GROUPS) + 1)


def test_diagnosis_groups_cover_the_three_codes():
    groups = diagnosis_groups(pd.DataFrame([encounter(1, 1, diag_1="428", diag_2="250.01", diag_3="V57")]))
    assert {GROUPS[i] for i in np.flatnonzero(groups[0])} == {"circulatory", "diabetes", "supplementary (V)"}


def test_recall_at_k_by_hand():
    targets = np.array([[1, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    scores = np.array([[0.9, 0.1, 0.8, 0.0], [0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1]])
    # Row 1: top-2 holds one of its two groups; row 2: its only group; row 3 has none and is skipped.
    assert recall_at_k(targets, scores, k=2) == pytest.approx((0.5 + 1.0) / 2)
    with pytest.raises(InputError):
        recall_at_k(targets, scores[:2])


def test_a_damaged_table_is_named(tmp_path, monkeypatch):
    broken = tmp_path / "diabetic_data.csv"
    broken.write_text("encounter_id,patient_nbr\n1,2\n")
    monkeypatch.setattr(diabetes_module, "local_file", lambda name, file: broken)
    with pytest.raises(DataError, match="no column"):
        load_diabetes_encounters()
    header = ",".join(diabetes_module.REQUIRED)
    broken.write_text(header + "\n" + ",".join(["1"] * (len(diabetes_module.REQUIRED) - 1) + ["maybe"]) + "\n")
    with pytest.raises(DataError, match="maybe"):
        load_diabetes_encounters()


def test_readmission_set_up_in_one_call(real):
    from medai.records.readmission import readmission_data, tuned_logistic

    data = readmission_data(real.frame, seed=0)
    assert len(data.cohort) == len(data.y) == data.tokens.shape[0] == data.tokens_01.shape[0] == 69_973
    assert sorted(np.r_[data.train, data.val, data.test].tolist()) == list(range(69_973))
    assert set(data.cohort["patient_nbr"].iloc[data.train]).isdisjoint(data.cohort["patient_nbr"].iloc[data.test])
    model, scores = tuned_logistic(data, c_grid=(0.001, 0.03), seed=0)
    assert set(scores) == {0.001, 0.03} and model.C == max(scores, key=scores.get)
    assert 0.6 < scores[model.C] < 0.7  # readmission is hard to predict from the record: about .64
