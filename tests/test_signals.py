import numpy as np
import pytest
import wfdb

from medai.datasets import (
    MITBIH_RECORDS,
    DataNotFoundError,
    load_mitbih,
    load_physionet_sample,
    path,
)
from medai.datasets.physionet import parse_annotation_text
from medai.monitoring.beat_windows import (
    AAMI_MAP,
    aami_class,
    beat_windows,
    rr_features,
)
from medai.monitoring.ecg import (
    detect_r_peaks,
    detection_scores,
    heart_rate,
    rate_per_window,
    reference_beats,
)
from medai.monitoring.pressure import blood_pressure_per_beat, bp_category, pulse_peaks
from medai.monitoring.quality import check_signal


@pytest.fixture(scope="module")
def record100():
    return load_mitbih("100")


def test_text_annotations_equal_the_binary_reference_file(record100):
    folder = path("mitbih-arrhythmia", ["100.atr", "100.hea"])
    binary = wfdb.rdann(str(folder / "100"), "atr")
    np.testing.assert_array_equal(record100.annotations.sample, binary.sample)
    assert list(record100.annotations.symbol) == list(binary.symbol)
    assert record100.data.shape == (650000, 2) and record100.fs == 360
    assert record100.feature_names == ("MLII", "V5")


def test_r_peaks_on_record_100_match_the_reference_within_150_ms(record100):
    reference = reference_beats(record100.annotations)
    ten_minutes = reference[reference < 600 * 360]
    peaks = detect_r_peaks(record100.channel("MLII")[: 600 * 360], record100.fs)
    scores = detection_scores(ten_minutes, peaks, record100.fs)
    assert scores["sensitivity"] > 0.99 and scores["PPV"] > 0.99
    # A detector shifted by 200 ms falls outside the tolerance.
    shifted = detection_scores(ten_minutes, peaks + 72, record100.fs)
    assert shifted["sensitivity"] < 0.05
    with pytest.raises(ValueError, match="method must be one of"):
        detect_r_peaks(record100.channel("MLII")[:3600], record100.fs, method="magic")


def test_heart_rate_and_hrv_from_a_regular_rhythm():
    fs = 250.0
    peaks = (np.arange(0, 300, 0.8) * fs).astype(int)  # 75 beats/min, no variability
    table = heart_rate(peaks, fs, window_s=60)
    assert table["heart_rate_bpm"].round(6).eq(75).all()
    assert table["sdnn_ms"].max() < 1e-6 and table["rmssd_ms"].max() < 1e-6
    rates = rate_per_window(peaks, fs, duration_s=300, window_s=10)
    assert len(rates) == 30 and np.allclose(rates, 75)


def test_aami_mapping_follows_ec57():
    assert list(aami_class(["N", "L", "R", "e", "j", "A", "a", "J", "S", "V", "E", "F", "/", "f", "Q", "+", "~"])) == [
        "N", "N", "N", "N", "N", "S", "S", "S", "S", "V", "V", "F", "Q", "Q", "Q", "", ""
    ]  # fmt: skip
    assert set(AAMI_MAP.values()) == {"N", "S", "V", "F", "Q"}


def test_beat_windows_are_centred_and_skip_edges():
    fs = 360.0
    x = np.zeros(3600)
    centres = np.array([10, 1000, 2000, 3590])
    x[centres] = 5.0
    windows, kept = beat_windows(x, fs, centres, target_fs=None)
    assert kept.tolist() == [1, 2]  # the first and last windows would leave the signal
    assert windows.shape == (2, 252)
    assert (windows.argmax(axis=1) == 90).all()  # 0.25 s before the peak at 360 Hz
    resampled, _ = beat_windows(
        x + np.sin(np.arange(3600) / 20), fs, centres, target_fs=180.0
    )
    assert resampled.shape == (2, 126)


def test_rr_features_flag_a_premature_beat():
    peaks = np.array(
        [0, 300, 600, 780, 1200, 1500]
    )  # the fourth beat comes early, then a pause
    rr = rr_features(peaks, fs=300.0)
    assert rr[3, 2] < 0.7 and rr[3, 3] > 1.3
    with pytest.raises(ValueError, match="three beats"):
        rr_features(np.array([0, 300]), 300.0)


def test_blood_pressure_categories_follow_the_2017_guideline():
    s = [110, 125, 125, 135, 120, 150, 185, 150]
    d = [70, 75, 82, 70, 92, 85, 100, 125]
    assert list(bp_category(s, d)) == [
        "normal", "elevated", "stage 1 hypertension", "stage 1 hypertension",
        "stage 2 hypertension", "stage 2 hypertension", "hypertensive crisis", "hypertensive crisis",
    ]  # fmt: skip


def test_blood_pressure_per_beat_on_a_synthetic_pulse():
    fs = 125.0
    t = np.arange(0, 20, 1 / fs)
    phase = (t * 1.2) % 1.0  # 72 beats/min
    abp = 80 + 45 * np.exp(-(((phase - 0.2) / 0.08) ** 2))  # 125/80 mmHg
    beats = blood_pressure_per_beat(abp, fs)
    assert len(beats) == pytest.approx(23, abs=1)
    assert beats["systolic"].median() == pytest.approx(125, abs=1)
    assert beats["diastolic"].median() == pytest.approx(80, abs=1)
    assert set(beats["category"]) == {"stage 1 hypertension"}
    assert not beats["hypotension"].any() and not beats["implausible"].any()
    low = blood_pressure_per_beat(abp * 0.6, fs)  # about 75/48 mmHg
    assert low["hypotension"].all()
    with pytest.raises(ValueError, match="fewer than two pulses"):
        blood_pressure_per_beat(
            np.full(2500, 80.0) + np.random.default_rng(0).normal(0, 0.1, 2500), fs
        )


def test_ppg_pulse_rate_matches_the_ecg_heart_rate_on_a_real_record():
    rec = load_physionet_sample("a103l")
    minute = slice(0, int(60 * rec.fs))
    ppg = rate_per_window(
        pulse_peaks(rec.channel("PLETH")[minute], rec.fs), rec.fs, 60, 10
    )
    ecg = rate_per_window(
        detect_r_peaks(rec.channel("II")[minute], rec.fs), rec.fs, 60, 10
    )
    assert np.nanmax(np.abs(ppg - ecg)) < 5


@pytest.mark.parametrize(
    "signal, fs, message",
    [
        (np.zeros(1000), 250.0, "flat line"),
        (np.sin(np.arange(1000.0)), 0, "positive number of Hz"),
        (np.sin(np.arange(1000.0)), 25.0, "below the 50 Hz"),
        (np.sin(np.arange(100.0)), 250.0, "under 2 seconds"),
        (np.full(1000, np.nan), 250.0, "every sample is NaN"),
        (
            np.where(np.arange(2000) < 500, np.nan, np.sin(np.arange(2000.0))),
            250.0,
            "gap of 2.00 s",
        ),
        (np.sin(np.arange(1000.0)).reshape(2, 500), 250.0, "1-D array"),
    ],
)
def test_bad_signals_are_refused_with_a_reason(signal, fs, message):
    with pytest.raises(ValueError, match=message):
        check_signal(signal, fs)


def test_short_nan_gaps_are_interpolated():
    x = np.sin(np.arange(1000) / 10)
    holed = x.copy()
    holed[100:105] = np.nan
    filled = check_signal(holed, 250.0)
    assert not np.isnan(filled).any()
    # Linear between the neighbours of the gap: close to the sine it replaced.
    np.testing.assert_allclose(filled[100:105], np.linspace(x[99], x[105], 7)[1:-1])
    np.testing.assert_allclose(filled[100:105], x[100:105], atol=0.05)
    assert np.isnan(holed).sum() == 5  # the caller's array is not modified


def test_real_record_with_missing_samples_is_usable():
    rec = load_physionet_sample("v102s")
    assert np.isnan(rec.channel("PLETH")).any()
    assert len(pulse_peaks(rec.channel("PLETH"), rec.fs)) > 100


def test_unknown_records_channels_and_missing_annotations(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="not in this copy"):
        load_mitbih("101")
    with pytest.raises(ValueError, match="unknown sample record"):
        load_physionet_sample("a104l")
    with pytest.raises(KeyError, match="no channel 'ABP'"):
        load_physionet_sample("a103l").channel("ABP")
    assert "232" in MITBIH_RECORDS
    # A mirror that holds the signals but not the annotation listing: a clear error.
    partial = tmp_path / "mirror" / "mitbih-arrhythmia"
    partial.mkdir(parents=True)
    source = path("mitbih-arrhythmia", ["106.hea", "106.dat"])
    for name in ("106.hea", "106.dat"):
        (partial / name).write_bytes((source / name).read_bytes())
    monkeypatch.setenv("MEDAI_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("MEDAI_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MEDAI_OFFLINE", "1")
    with pytest.raises(DataNotFoundError, match="reference annotations are missing"):
        load_mitbih("106")
    assert load_mitbih("106", with_annotations=False).annotations is None


def test_annotation_text_parser_rejects_other_files():
    with pytest.raises(ValueError, match="not an annotation listing"):
        parse_annotation_text("hello\n1 2 3")
    with pytest.raises(ValueError, match="line 2 is malformed"):
        parse_annotation_text("Time Sample# Type\n0:00.1 abc N")


@pytest.fixture
def record_copy(tmp_path):
    """Write record 100 under a new name with a chosen header and signal file."""
    folder = path("mitbih-arrhythmia", ["100.hea", "100.dat"])
    header = (folder / "100.hea").read_text()
    signal = (folder / "100.dat").read_bytes()

    def write(name, header_text=header, signal_bytes=signal):
        (tmp_path / f"{name}.hea").write_text(
            header_text.replace("100 ", f"{name} ", 1).replace("100.dat", f"{name}.dat")
        )
        if signal_bytes is not None:
            (tmp_path / f"{name}.dat").write_bytes(signal_bytes)
        return tmp_path / f"{name}.hea"

    return write, header, signal


def test_a_users_own_record_reads_and_damaged_ones_name_the_file(record_copy):
    from medai.datasets import DataError, read_wfdb_record

    write, header, signal = record_copy
    good = read_wfdb_record(write("mine"))
    assert good.p_signal.shape == (650000, 2) and good.fs == 360
    bad = {
        "half": (header, signal[: len(signal) // 2]),
        "empty": (header, b""),
        "noise": (header, np.random.default_rng(0).bytes(1000)),
        "garbage": ("not a header\n", signal),
        "blank": ("", signal),
        "nosignal": (header, None),
        "zerofs": (header.replace(" 360 ", " 0 ", 1), signal),
    }
    for name, (text, content) in bad.items():
        with pytest.raises(DataError) as caught:
            read_wfdb_record(write(name, text, content))
        assert f"{name}.hea" in str(caught.value), name
    with pytest.raises(DataError, match="no WFDB header"):
        read_wfdb_record(write("mine").with_name("absent.hea"))
    with pytest.raises(ValueError, match="header path"):
        read_wfdb_record(3)


def test_annotations_must_be_ordered_and_inside_the_record():
    header = "      Time   Sample #  Type  Sub Chan  Num\n"
    ok = parse_annotation_text(
        header + "0:00.1  18  N  0 0 0\n0:00.2  77  N 0 0 0\n", 100
    )
    assert ok.sample.tolist() == [18, 77]
    with pytest.raises(ValueError, match="line 3: sample 10 comes before"):
        parse_annotation_text(header + "a 18 N 0 0 0\nb 10 N 0 0 0\n")
    with pytest.raises(ValueError, match="line 2: sample 500 is past the record's end"):
        parse_annotation_text(header + "a 500 N 0 0 0\n", signal_length=100)
    with pytest.raises(ValueError, match="must be a str"):
        parse_annotation_text(b"bytes")


@pytest.mark.parametrize("fs", [np.float32(360), np.int64(360), 360, 360.0])
def test_sampling_rate_may_be_any_real_number(fs):
    x = np.sin(np.linspace(0, 60, 3600))
    assert check_signal(x, fs).shape == (3600,)


@pytest.mark.parametrize("fs", [True, "360", None, 0, -1, float("nan")])
def test_sampling_rate_that_is_not_a_positive_number_is_refused(fs):
    with pytest.raises(ValueError, match="sampling rate must be a positive number"):
        check_signal(np.zeros(3600), fs)


def test_a_signal_of_strings_is_refused_in_words():
    with pytest.raises(
        ValueError, match="ECG: expected an array of numbers, got ndarray of dtype <U1"
    ):
        check_signal(np.array(list("abcdef" * 200)), 360, name="ECG")
