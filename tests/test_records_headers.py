"""Record headers that the readers below physiofeat misread silently (session-17 and -18
audits), and a role index that a selection of channels made ambiguous: each is a DecodeError
or ParameterError naming the field, or read right; each test of a fix failed on the code
before (the inverted-range test guards a file that must keep loading)."""

from __future__ import annotations

import numpy as np
import pytest

import physiofeat
from physiofeat import DecodeError, ParameterError


def _wfdb(tmp_path, names=("I", "II", "III")):
    wfdb = pytest.importorskip("wfdb")
    sig = np.column_stack([np.sin(np.arange(1000) / (20 + k)) for k in range(len(names))])
    wfdb.wrsamp(
        "r", fs=500, units=["mV"] * len(names), sig_name=list(names), p_signal=sig,
        fmt=["16"] * len(names), adc_gain=[200.0] * len(names), baseline=[0] * len(names),
        write_dir=str(tmp_path),
    )  # fmt: skip
    return tmp_path / "r.hea", sig


def _edit(hea, old, new, count=1):
    text = hea.read_text()
    assert old in text
    hea.write_text(text.replace(old, new, count))


@pytest.mark.parametrize("fs", ["5e2", "5.0e2", ".5e3"])
def test_a_wfdb_rate_the_reader_misreads_is_refused(tmp_path, fs):
    hea, _ = _wfdb(tmp_path)
    assert physiofeat.load_record(hea).channel("II").sr == 500.0
    _edit(hea, "r 3 500 1000", f"r 3 {fs} 1000")  # had loaded at 5 Hz (0.5 Hz), 1000 s long
    with pytest.raises(DecodeError, match=r"reads the header's sampling frequency as 0?\.?5 Hz "
                       r"where its record line gives 500 Hz"):  # fmt: skip
        physiofeat.load_record(hea)


@pytest.mark.parametrize(
    "old, new, match",
    [
        ("16 200.0(0)/mV", "16 abc(0)/mV", r"signal line 1 has the gain field 'abc\(0\)/mV'"),
        ("16 200.0(0)/mV", "16 nan(0)/mV", r"signal line 1 has the gain field 'nan\(0\)/mV'"),
        ("16 200.0(0)/mV", "16+-5 200(0)/mV", r"signal line 1 .* has the format field '16\+-5'"),
    ],
)
def test_a_wfdb_signal_line_the_reader_misreads_is_refused(tmp_path, old, new, match):
    """wfdb had read a gain 'abc(0)/mV' as its default 200 and put '(0)/mV 16 0 ...' into the
    channel's name (8.6x too large on LUDB), and an offset '16+-5' as the name '0 X'."""
    hea, _ = _wfdb(tmp_path)
    _edit(hea, old, new)
    with pytest.raises(DecodeError, match=match):
        physiofeat.load_record(hea)


def test_a_gain_in_exponent_form_that_the_reader_reads_right_loads(tmp_path):
    hea, _ = _wfdb(tmp_path)
    want = physiofeat.load_record(hea).channel("I").data
    _edit(hea, "16 200.0(0)/mV", "16 2e2(0)/mV")
    np.testing.assert_array_equal(physiofeat.load_record(hea).channel("I").data, want)


def test_a_wfdb_signal_line_without_a_name_is_an_empty_name(tmp_path):
    hea, sig = _wfdb(tmp_path)
    lines = hea.read_text().splitlines()
    lines[1] = " ".join(lines[1].split()[:-1])  # signal 0 loses its description (name)
    hea.write_text("\n".join(lines) + "\n")
    rec = physiofeat.load_record(hea)  # selecting by name had raised AttributeError 'strip'
    assert rec.names == ("", "II", "III")
    ii = physiofeat.load_record(hea, channels="ii").channel("II")
    np.testing.assert_allclose(ii.data, sig[:, 1], rtol=0, atol=0.5 / 200)  # one ADC step


def _edf(tmp_path):
    edfio = pytest.importorskip("edfio")
    sig = [
        edfio.EdfSignal(np.sin(np.arange(5000) / 50), sampling_frequency=500, label="ECG II"),
        edfio.EdfSignal(np.cos(np.arange(20000) / 50), sampling_frequency=2000, label="PCG"),
    ]
    p = tmp_path / "good.edf"
    edfio.Edf(sig).write(p)
    return p, p.read_bytes()


@pytest.mark.parametrize(
    "field, value, match",
    [
        ("duration", b"-1      ", r"the data-record duration is '-1' s; a positive number"),
        ("duration", b"0       ", r"data-record duration is 0 s, which only a file of annot"),
        ("spr", b"0       ", r"channel 'ECG II' has a sampling rate of 0 Hz"),
        ("spr", b"-5      ", r"channel 'ECG II' has a sampling rate of -5 Hz"),
    ],
)
def test_an_edf_header_with_no_positive_rate_is_refused(tmp_path, field, value, match):
    """These had loaded as channels of -500, 0 or -5 Hz (and the PCG with 24000 samples of
    20000), and failed later with errors blaming the caller's sr."""
    p, b = _edf(tmp_path)
    assert physiofeat.load_record(p).channel("PCG").sr == 2000.0
    at = 244 if field == "duration" else 256 + 2 * (16 + 80 + 8 + 8 + 8 + 8 + 8 + 80)
    bad = tmp_path / "bad.edf"
    bad.write_bytes(b[:at] + value + b[at + 8 :])
    with pytest.raises(DecodeError, match=match):
        physiofeat.load_record(bad)


@pytest.mark.parametrize(
    "at, value, match",
    [
        (252, b"-5  ", r"the number of signals is -5; an EDF file has at least one"),  # OSError
        (252, b"0   ", r"the number of signals is 0"),  # a ZeroDivisionError from the reader
        (252, b"9   ", r"the header size is 768 bytes, but 9 signal\(s\) need 256 x \(9 \+ 1\)"),
        (184, b"1024    ", r"the header size is 1024 bytes, but 2 signal\(s\) need .* = 768"),
    ],
)
def test_an_edf_header_whose_signal_count_and_size_disagree_is_refused(tmp_path, at, value, match):
    """A negative signal count had raised an untyped OSError (a negative seek); a header size
    of 1024 bytes for two signals had loaded the samples from byte 1024, 128 samples late."""
    p, b = _edf(tmp_path)
    bad = tmp_path / "bad.edf"
    bad.write_bytes(b[:at] + value + b[at + len(value) :])
    with pytest.raises(DecodeError, match=r"bad EDF header: " + match):
        physiofeat.load_record(bad)


_PHYS_MIN = 256 + 2 * (16 + 80 + 8)  # the first signal's physical minimum (two signals)


@pytest.mark.parametrize(
    "field, value, match",
    [
        (1, b"-1      ", r"has physical minimum = physical maximum \(-1\), so its samples cannot"),
        (0, b"nan     ", r"has a physical minimum of nan; a finite number is required"),
        (1, b"inf     ", r"has a physical maximum that is not a finite number"),
        (2, b"32767   ", r"has digital minimum 32767 and maximum 32767; the minimum must be below"),
        (2, b"40000   ", r"has digital minimum 40000 and maximum 32767; .* within -32768..32767"),
        (3, b"1.5     ", r"has a digital maximum that is not an integer"),
    ],
)
def test_an_edf_channel_without_a_defined_calibration_is_refused(tmp_path, field, value, match):
    """These had loaded the raw digital values as if physical (edfio's fallback, with or
    without a warning), NaN throughout, or a scale of the wrong sign."""
    p, b = _edf(tmp_path)
    at = _PHYS_MIN + 2 * 8 * field
    bad = tmp_path / "bad.edf"
    bad.write_bytes(b[:at] + value + b[at + 8 :])
    with pytest.raises(DecodeError, match=r"bad EDF header: channel 'ECG II' " + match):
        physiofeat.load_record(bad)


def test_an_edf_channel_with_an_inverted_physical_range_loads_inverted(tmp_path):
    """Physical minimum above maximum is legal EDF (an inverted signal), not refused."""
    p, b = _edf(tmp_path)
    good = physiofeat.load_record(p).channel("ECG II").data
    lo, hi = b[_PHYS_MIN : _PHYS_MIN + 8], b[_PHYS_MIN + 16 : _PHYS_MIN + 24]
    flipped = tmp_path / "flipped.edf"
    flipped.write_bytes(b[:_PHYS_MIN] + hi + b[_PHYS_MIN + 8 : _PHYS_MIN + 16] + lo
                        + b[_PHYS_MIN + 24 :])  # fmt: skip
    got = physiofeat.load_record(flipped).channel("ECG II").data
    span = float(np.ptp(good))
    np.testing.assert_allclose(got, -good, rtol=0, atol=2 * span / 65535)


def test_a_wfdb_header_of_no_samples_or_frames_says_so(tmp_path):
    hea, _ = _wfdb(tmp_path)
    _edit(hea, "r 3 500 1000", "r 3 500 0")  # wfdb: "sampto must be greater than sampfrom"
    with pytest.raises(DecodeError, match="the WFDB header declares 0 samples"):
        physiofeat.load_record(hea)
    hea, _ = _wfdb(tmp_path)
    _edit(hea, "r.dat 16 ", "r.dat 16x0 ")  # wfdb: "cannot reshape array of size 0"
    with pytest.raises(DecodeError, match=r"signal line 1 has 0 samples per frame"):
        physiofeat.load_record(hea)


def test_a_text_record_with_a_latin1_label_loads(tmp_path):
    """One Latin-1 byte in a '#' label line had failed the file as non-numeric samples."""
    p = tmp_path / "t.txt"
    text = "# Simple Text Format\n# Sampling Rate (Hz):= 2000.0\n# Labels:= Phono\xe9\tECG\n"
    p.write_bytes((text + "1\t2\n3\t4\n").encode("latin-1"))
    rec = physiofeat.load_record(p)
    np.testing.assert_array_equal(rec.channel(1).data, [2.0, 4.0])
    assert rec.channel(0).sr == 2000.0 and rec.names == ("Phono\xe9", "ECG")


@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_a_non_ascii_wfdb_channel_name_is_kept(tmp_path, encoding):
    """wfdb's pattern had read 'Ableitung-ü' as 'Ableitung-'."""
    hea, sig = _wfdb(tmp_path)
    text = hea.read_text().replace(" 0 II\n", " 0 Ableitung-ü\n")
    hea.write_bytes(text.encode(encoding))
    rec = physiofeat.load_record(hea, channels="Ableitung-ü")
    assert rec.names == ("Ableitung-ü",)
    np.testing.assert_allclose(rec.channel(0).data, sig[:, 1], rtol=0, atol=0.5 / 200)


def test_a_role_by_index_in_a_selection_of_channels_is_refused(tmp_path):
    """After channels=["PCG", "ECG II"], roles={"ecg": 0, "pcg": 1} had timed the heart sound
    as the ECG (index 0 of the selection is the PCG, file channel 0 the ECG): no error."""
    p, _ = _edf(tmp_path)  # 0 'ECG II' 500 Hz, 1 'PCG' 2000 Hz
    rec = physiofeat.load_record(p, channels=["PCG", "ECG II"])
    with pytest.raises(ParameterError, match=r"the role 'ecg' is given channel index 0, but the "
                       r"record holds a selection .*'PCG' \(file channel 1\), 'ECG II' \(file "
                       r"channel 0\).*give the channel by name"):  # fmt: skip
        rec.roles({"ecg": 0})
    with pytest.raises(ParameterError, match="given channel index -1"):
        rec.roles({"pcg": "-1"})  # the CLI's --role pcg=-1
    assert rec.roles({"ecg": "ECG II", "pcg": "pcg"}) == {"ecg": (1,), "pcg": (0,)}
    whole = physiofeat.load_record(p)  # the file's own positions: an index is unambiguous
    assert whole.roles({"ecg": 0, "pcg": 1}) == {"ecg": (0,), "pcg": (1,)}
    same = physiofeat.load_record(p, channels=[0, 1])
    assert same.roles({"pcg": 1}) == {"ecg": (0,), "pcg": (1,)}
    res = physiofeat.extract_many(
        [p], ["ecg_pcg_timing"], channels=["PCG", "ECG II"], roles={"ecg": 0, "pcg": 1}, n_jobs=1
    )[0]
    assert res.error_type == "ParameterError"
