import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from medai.imaging.dicom import (
    DicomError,
    named_window,
    pixel_spacing,
    read_dicom,
    resample,
    to_hounsfield,
    window,
)

CT = get_testdata_file("CT_small.dcm")
MR = get_testdata_file("MR_small.dcm")


def test_ct_is_converted_with_slope_and_intercept():
    ds = read_dicom(CT)
    hu = to_hounsfield(ds)
    raw = ds.pixel_array.astype(np.float32)
    np.testing.assert_array_equal(
        hu, raw * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    )
    assert float(ds.RescaleIntercept) == -1024
    assert hu.min() < -800  # air-like values around the body exist in this slice


def test_mr_has_no_hounsfield_scale():
    with pytest.raises(DicomError, match="modality is MR"):
        to_hounsfield(read_dicom(MR))


def test_windows_map_their_range_to_zero_one():
    hu = np.array([-2000.0, -1350, -600, 150, 1000])
    lung = named_window(hu, "lung")  # centre -600, width 1500
    np.testing.assert_allclose(lung, [0, 0, 0.5, 1, 1])
    np.testing.assert_allclose(window(hu, 40, 400), [0, 0, 0, 0.775, 1])
    with pytest.raises(ValueError, match="width must be positive"):
        window(hu, 0, 0)
    with pytest.raises(KeyError, match="unknown window 'liver'"):
        named_window(hu, "liver")


def test_resampling_to_one_millimetre():
    ds = read_dicom(CT)
    spacing = pixel_spacing(ds)
    assert spacing == pytest.approx((0.661468, 0.661468))
    out = resample(to_hounsfield(ds), spacing, (1.0, 1.0))
    assert out.shape == (85, 85)  # 128 pixels x 0.66 mm = 85 mm
    with pytest.raises(ValueError, match="2-D slice"):
        resample(np.zeros((2, 2, 2)), spacing)
    with pytest.raises(ValueError, match="spacings must be positive"):
        resample(np.zeros((4, 4)), (0.0, 1.0))


def test_files_that_are_not_dicom_or_have_no_pixels_are_refused(tmp_path):
    text = tmp_path / "note.dcm"
    text.write_text("patient report, not an image")
    with pytest.raises(DicomError, match="is not a DICOM file"):
        read_dicom(text)
    ds = pydicom.dcmread(CT)
    del ds.PixelData
    no_pixels = tmp_path / "no_pixels.dcm"
    ds.save_as(no_pixels)
    with pytest.raises(DicomError, match="has no pixel data"):
        read_dicom(no_pixels)
    with pytest.raises(FileNotFoundError, match="no DICOM file"):
        read_dicom(tmp_path / "missing.dcm")
    del ds.PixelSpacing
    with pytest.raises(DicomError, match="no PixelSpacing"):
        pixel_spacing(ds)


def test_damaged_files_are_refused_with_their_name(tmp_path):
    raw = open(CT, "rb").read()
    cases = {
        "truncated_pixels.dcm": (raw[:-2000], "pixel data cannot be decoded"),
        "truncated_header.dcm": (raw[:300], "truncated or damaged"),
    }
    ds = pydicom.dcmread(CT)
    ds.Rows = 256  # the header promises twice the pixels the file holds
    ds.save_as(tmp_path / "rows.dcm")
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
    cases["rows.dcm"] = (None, "less than expected")
    for name, (_, message) in cases.items():
        with pytest.raises(DicomError, match=message) as caught:
            read_dicom(tmp_path / name)
        assert name in str(caught.value)


def test_an_undecodable_compressed_image_names_its_transfer_syntax(tmp_path):
    ds = pydicom.dcmread(get_testdata_file("JPEG2000.dcm"))
    frame = bytearray(
        pydicom.encaps.generate_frames(ds.PixelData, number_of_frames=1).__next__()
    )
    frame[20:] = b"\x00" * (len(frame) - 20)  # keep the marker, destroy the code stream
    ds.PixelData = pydicom.encaps.encapsulate([bytes(frame)])
    ds.save_as(tmp_path / "broken_j2k.dcm")
    with pytest.raises(
        DicomError, match="broken_j2k.dcm: the pixel data cannot be decoded.*JPEG 2000"
    ):
        read_dicom(tmp_path / "broken_j2k.dcm")


@pytest.mark.parametrize("argument", [3, None, b"CT_small.dcm", ["a.dcm"]])
def test_a_path_that_is_not_a_path_is_refused(argument):
    with pytest.raises(DicomError, match="path must be a str or Path"):
        read_dicom(argument)
