"""Chapter 5: DNA encoding, the splice baselines, mutagenesis on a planted motif, the Cox loss vs lifelines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from medai.core.errors import InputError, InputTypeError
from medai.core.tensors import TensorPairs
from medai.core.train import TrainConfig, fit
from medai.genomics.encoding import decode, one_hot, reverse_complement, reverse_complement_one_hot
from medai.genomics.interpret import consensus_of, filters_to_pwms, motif_match, saturation_mutagenesis
from medai.genomics.models import DnaCNN, DnaGRU, StrandSymmetric
from medai.genomics.splice import consensus_rule, nearest_identity
from medai.genomics.survival import cox_log_likelihood, cox_loss, fit_linear_cox, penalized_log_likelihood


def test_one_hot_bases_ambiguity_letters_and_case():
    x = one_hot(["ACGTn", "rYsWk"])
    assert x.shape == (2, 4, 5) and x.dtype == np.float32
    assert x[0, :, 0].tolist() == [1, 0, 0, 0] and x[0, :, 3].tolist() == [0, 0, 0, 1]
    assert x[0, :, 4].tolist() == [0.25] * 4  # N: any base
    assert x[1, :, 0].tolist() == [0.5, 0, 0.5, 0]  # R = A/G
    assert x[1, :, 1].tolist() == [0, 0.5, 0, 0.5]  # Y = C/T
    np.testing.assert_allclose(x.sum(axis=1), 1.0)
    assert one_hot("B")[0, :, 0].tolist() == pytest.approx([0, 1 / 3, 1 / 3, 1 / 3])


def test_one_hot_refuses_unknown_letters_and_unequal_lengths_with_their_place():
    with pytest.raises(InputError, match=r"sequence 1, position 2: 'X'"):
        one_hot(["ACGT", "ACXT"])
    with pytest.raises(InputError, match=r"position 1: 'é'"):
        one_hot(["AéGT"])
    with pytest.raises(InputError, match="pad=True"):
        one_hot(["ACGT", "ACG"])
    padded = one_hot(["ACGT", "ACG"], pad=True)
    assert padded.shape == (2, 4, 4) and padded[1, :, 3].sum() == 0
    with pytest.raises(InputTypeError):
        one_hot(["ACGT", 7])
    with pytest.raises(InputError, match="empty"):
        one_hot(["ACGT", ""])


def test_reverse_complement_on_letters_and_on_codes_agree():
    sequence = "AACGTRYKMN"
    assert reverse_complement(sequence) == "NKMRYACGTT"
    assert reverse_complement(reverse_complement(sequence)) == sequence
    np.testing.assert_array_equal(reverse_complement_one_hot(one_hot(sequence)), one_hot(reverse_complement(sequence)))
    codes = torch.from_numpy(one_hot(["ACGGT", "TTTAC"]))
    assert decode(reverse_complement_one_hot(codes).numpy()) == ["ACCGT", "GTAAA"]


def test_consensus_rule_reads_the_junction():
    exon, intron = "C" * 30, "T" * 28
    assert consensus_rule([exon + "GT" + intron]).tolist() == [0]  # donor: GT after the junction
    assert consensus_rule(["C" * 28 + "AG" + "C" * 30]).tolist() == [1]  # acceptor: AG before it
    assert consensus_rule(["C" * 60]).tolist() == [2]


def test_nearest_identity_counts_matching_positions():
    assert nearest_identity(["AAAA", "CCCC"], ["AAAT", "GGGG"]).tolist() == [0.75, 0.0]
    with pytest.raises(InputError):
        nearest_identity(["AAAA"], ["AAA"])


def test_models_map_one_hot_batches_to_class_scores():
    x = torch.from_numpy(one_hot(["ACGT" * 15] * 3))
    assert DnaCNN(60, 3)(x).shape == (3, 3)
    assert DnaGRU(60, 3)(x).shape == (3, 3)
    symmetric = StrandSymmetric(DnaCNN(60, 2, global_pool=True)).eval()
    torch.testing.assert_close(symmetric(x), symmetric(reverse_complement_one_hot(x)))


MOTIF, AT = "TTGACA", 20  # a planted motif and where it goes


def planted(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    letters = rng.choice(list("ACGT"), size=(n, 50))
    labels = rng.integers(0, 2, n)
    letters[labels == 1, AT : AT + len(MOTIF)] = list(MOTIF)
    return one_hot(["".join(row) for row in letters]), labels


def test_mutagenesis_finds_a_planted_motif_and_a_filter_learns_it():
    x, y = planted(800, seed=0)
    val_x, val_y = planted(200, seed=1)
    model = DnaCNN(50, 2, filters=16, width=7)
    config = TrainConfig(epochs=8, batch_size=64, lr=3e-3, patience=None, progress=False)
    result = fit(model, TensorPairs(torch.from_numpy(x), torch.from_numpy(y)),
                 TensorPairs(torch.from_numpy(val_x), torch.from_numpy(val_y)), config)  # fmt: skip
    assert result.best_score > 0.95
    carrier = val_x[val_y == 1][0]
    effects = saturation_mutagenesis(model, carrier, target=1)
    assert effects.shape == (4, 50)
    assert np.all(effects[carrier.astype(bool)] == 0)  # the present base has no effect
    damage = -effects.min(axis=0)
    top = set(np.argsort(damage)[-len(MOTIF):].tolist())
    assert len(top & set(range(AT, AT + len(MOTIF)))) >= len(MOTIF) - 1
    pwms, counts = filters_to_pwms(model.motifs, val_x[val_y == 1])
    scores = [motif_match(pwm, MOTIF)[0] for pwm in pwms[counts > 0]]
    assert max(scores) > 0.6


def test_motif_match_finds_the_offset_on_either_strand():
    pwm = one_hot("GGATGCAAATGG")[0]
    r, offset, strand = motif_match(pwm, "ATGCAAAT")
    assert r == pytest.approx(1.0) and offset == 2 and strand == "+"
    r, _, strand = motif_match(one_hot(reverse_complement("GGATGCAAATGG"))[0], "ATGCAAAT")
    assert r == pytest.approx(1.0) and strand == "-"
    assert consensus_of(one_hot("ACGN")[0]) == "ACGn"


def test_mutagenesis_refuses_a_batch():
    with pytest.raises(InputError, match=r"\(4, L\)"):
        saturation_mutagenesis(DnaCNN(60, 3), one_hot(["A" * 60] * 2), target=0)


def test_breslow_ties_share_one_risk_set():
    risk = torch.tensor([0.3, -0.2, 0.5, 0.1], dtype=torch.float64)
    time = torch.tensor([2.0, 2.0, 5.0, 1.0], dtype=torch.float64)
    event = torch.tensor([1, 1, 0, 1])
    e = risk.exp()
    everyone, from_two = e.sum(), e[:3].sum()
    expected = (risk[3] - everyone.log()) + (risk[0] - from_two.log()) + (risk[1] - from_two.log())
    torch.testing.assert_close(cox_log_likelihood(risk, time, event), expected)
    target = torch.stack([time, event.double()], dim=1)
    torch.testing.assert_close(cox_loss(risk, target), -expected / 3)
    with pytest.raises(InputError, match="at least one event"):
        cox_log_likelihood(risk, time, torch.zeros(4))


def test_cox_fit_matches_lifelines_coefficients_and_log_likelihood():
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(150, 3))
    time = rng.exponential(np.exp(-(x @ [0.8, -0.5, 0.0])))
    event = rng.random(150) < 0.7
    x = (x - x.mean(0)) / x.std(0, ddof=1)  # lifelines penalises standardised columns
    frame = pd.DataFrame(x, columns=["a", "b", "c"]).assign(time=time, event=event)
    for penalizer in (0.0, 0.1):
        reference = lifelines.CoxPHFitter(penalizer=penalizer).fit(frame, "time", "event")
        beta = fit_linear_cox(x, time, event, penalizer=penalizer)
        np.testing.assert_allclose(beta, reference.params_.to_numpy(), atol=1e-4)
        ll = penalized_log_likelihood(x, time, event, beta, penalizer)
        assert ll == pytest.approx(reference.log_likelihood_, abs=1e-4)


def test_the_corrected_paired_interval_is_wider_than_the_naive_one():
    from scipy import stats

    from medai.core.errors import InputError
    from medai.genomics.survival import corrected_paired_interval

    d = np.random.default_rng(0).normal(0.02, 0.05, 25)  # 5 repeats of 5-fold CV
    mean, low, high = corrected_paired_interval(d, test_share=0.2)
    naive = stats.t.ppf(0.975, 24) * d.std(ddof=1) / np.sqrt(25)
    assert mean == pytest.approx(d.mean()) and low < mean < high
    # variance factor 1/25 + 0.25 instead of 1/25: the interval is sqrt(7.25) times as wide
    assert (high - low) / (2 * naive) == pytest.approx(np.sqrt(7.25))
    with pytest.raises(InputError, match="two finite"):
        corrected_paired_interval([0.1], test_share=0.2)
    with pytest.raises(InputError, match="test_share"):
        corrected_paired_interval(d, test_share=1.0)


def test_late_fusion_adds_each_modality_scaled_on_training_rows():
    from medai.genomics.survival import late_fusion

    # A "model" that returns its first column times 1000: scaled on the training rows, it cannot dominate.
    def first_column_loud(x_train, time, event, x_all):
        return 1000.0 * x_all[:, 0]

    rng = np.random.default_rng(0)
    x_train, x_all = rng.normal(size=(50, 3)), rng.normal(size=(8, 3))
    fused = late_fusion(first_column_loud, [slice(0, 2), slice(2, 3)])(x_train, np.ones(50), np.ones(50, bool), x_all)
    expected = sum((x_all[:, c] - x_train[:, c].mean()) / x_train[:, c].std() for c in (0, 2))
    np.testing.assert_allclose(fused, expected)
    with pytest.raises(InputError, match="at least one block"):
        late_fusion(first_column_loud, [])


def test_the_dinucleotide_shuffle_keeps_the_ends_and_every_neighbouring_pair():
    from collections import Counter

    from medai.genomics.shuffle import dinucleotide_shuffle, gc_content

    rng = np.random.default_rng(0)
    sequence = "".join(rng.choice(list("ACGT"), 200))
    shuffles = [dinucleotide_shuffle(sequence, rng) for _ in range(20)]
    pairs = Counter(zip(sequence, sequence[1:]))
    for shuffled in shuffles:
        assert len(shuffled) == len(sequence) and shuffled[0] == sequence[0] and shuffled[-1] == sequence[-1]
        assert Counter(zip(shuffled, shuffled[1:])) == pairs
    assert len(set(shuffles)) == 20 and sequence not in shuffles  # it does rearrange
    motif = "ATGCAAAT"
    planted = "C" * 40 + motif + "G" * 40
    assert dinucleotide_shuffle("AC", rng) == "AC"
    assert np.allclose(gc_content([planted, dinucleotide_shuffle(planted, rng)]), gc_content([planted])[0])
    assert gc_content(["GGCC", "atat", "GCAT"]).tolist() == [1.0, 0.0, 0.5]
    with pytest.raises(InputError, match="sequence 1"):
        gc_content(["ACGT", ""])
