"""Crash-proof suite: every public function, random arguments and signals.

Hypothesis draws batches of calls (function + keyword arguments, valid and
invalid, with audio at float32's extremes, NaN, empty or multichannel); each
batch runs in its own interpreter so an abort, a segfault or a hang fails the
test instead of killing the run. A call must return, or raise one of the
documented exceptions, within the time limit.

``FERROSA_FUZZ_EXAMPLES`` sets the number of calls (default 300, about a
minute of CI); ``make fuzz`` runs many more.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

N_EXAMPLES = int(os.environ.get("FERROSA_FUZZ_EXAMPLES", "300"))
BATCH = 25
BATCH_TIMEOUT = float(os.environ.get("FERROSA_FUZZ_BATCH_TIMEOUT", "60"))

# Exceptions a public function documents for bad input. ValueError includes
# ParameterError; OSError / RuntimeError only from the file readers.
ALLOWED = {"ParameterError", "ValueError", "TypeError", "MemoryError"}
ALLOWED_IO = ALLOWED | {
    "FileNotFoundError",
    "IsADirectoryError",
    "FileTypeError",
    "LibsndfileError",
    "PermissionError",
    "OSError",
    "RuntimeError",
    # librosa's (audioread's) error for bytes no decoder reads; ferrosa adds the reason.
    "NoBackendError",
}

WORKER = textwrap.dedent(
    """
    import json, os, sys, tempfile, warnings
    import numpy as np
    import ferrosa as F
    warnings.simplefilter("ignore")
    TMP = tempfile.mkdtemp(prefix="ferrosa-fuzz-")
    inf, nan = float("inf"), float("nan")
    KNOWN = json.loads(sys.argv[1])

    def SIG(dtype, shape, amp, bad, seed):
        rng = np.random.default_rng(seed)
        if dtype == "complex64":
            x = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * amp
            return x.astype(np.complex64)
        x = rng.uniform(-1, 1, shape) * amp
        if bad and x.size:
            x.flat[rng.integers(0, x.size)] = bad
        return x.astype(dtype)

    def SPEC(shape, kind, seed):
        rng = np.random.default_rng(seed)
        x = np.abs(rng.standard_normal(shape))
        if kind == "neg":
            x = -x
        elif kind == "nan" and x.size:
            x.flat[0] = nan
        elif kind == "complex":
            x = x + 1j * x
        return x.astype(np.float32 if seed % 2 else np.float64)

    def FILE(kind, seed):
        path = os.path.join(TMP, f"f{seed}-{kind}")
        if kind == "missing":
            return path + ".wav"
        if kind == "dir":
            return TMP
        if kind == "fifo":
            path += ".flac"
            if not os.path.exists(path):
                os.mkfifo(path)
            return path
        rng = np.random.default_rng(seed)
        if kind == "junk":
            path += ".flac" if seed % 2 else ".wav"
            with open(path, "wb") as fh:
                fh.write(rng.bytes(int(rng.integers(0, 400))))
            return path
        import soundfile as sf
        path += ".flac" if seed % 2 else ".wav"
        y = rng.uniform(-0.5, 0.5, (int(rng.integers(1, 3000)), 1 + seed % 2))
        sf.write(path, y, int(rng.choice([8000, 22050, 44100])))
        return path

    for line in sys.stdin:
        i, src = json.loads(line)
        print(json.dumps([i, "start"]), flush=True)
        try:
            eval(src)
            out = "ok"
        except Exception as e:
            # Report the first documented base class (UFuncTypeError is a TypeError).
            names = [c.__name__ for c in type(e).__mro__]
            kind = next((n for n in names if n in KNOWN), names[0])
            out = kind + ": " + type(e).__name__ + ": " + str(e)[:200]
        print(json.dumps([i, out]), flush=True)
    """
)

# --- argument strategies ------------------------------------------------------

BAD = st.sampled_from(["None", "'abc'", "True", "float('nan')", "2.5", "[1, 2]", "-1"])
HUGE_INT = st.sampled_from(["0", "-1", "2**31", "2**40", "2**62", "2**64", "2**70", "10**7"])


def ints(lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.one_of(st.integers(lo, hi).map(str), st.integers(lo, hi).map(str), HUGE_INT, BAD)


def reals(lo: float, hi: float) -> st.SearchStrategy[str]:
    return st.one_of(
        st.floats(lo, hi).map(repr),
        st.floats(lo, hi).map(repr),
        st.sampled_from(["0.0", "-1.0", "inf", "nan", "1e308", "-1e308", "1e-300"]),
        BAD,
    )


SIG = st.builds(
    lambda dt, shape, amp, bad, seed: f"SIG({dt!r}, {shape!r}, {amp}, {bad}, {seed})",
    st.sampled_from(["float32", "float32", "float64", "int16", "complex64", "float16"]),
    st.one_of(
        st.tuples(st.integers(0, 6000)),
        st.tuples(st.integers(1, 3), st.integers(0, 3000)),
        st.just(()),
        st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 1500)),
    ),
    st.sampled_from(["1.0", "1.0", "1e38", "3e38", "1e-20", "1e-40", "1e-45", "0.0", "1e20"]),
    st.sampled_from(["0", "0", "0", "nan", "inf", "-inf"]),
    st.integers(0, 10**6),
)
SPEC = st.builds(
    lambda shape, kind, seed: f"SPEC({shape!r}, {kind!r}, {seed})",
    st.one_of(
        st.tuples(st.integers(0, 1100), st.integers(0, 60)),
        st.tuples(st.integers(1, 2), st.integers(1, 600), st.integers(1, 40)),
        st.tuples(st.integers(0, 50)),
    ),
    st.sampled_from(["ok", "ok", "neg", "nan", "complex"]),
    st.integers(0, 10**6),
)
FILE = st.builds(
    lambda kind, seed: f"FILE({kind!r}, {seed})",
    st.sampled_from(["audio", "audio", "junk", "missing", "dir", "fifo"]),
    st.integers(0, 10**6),
)
WINDOW = st.one_of(
    st.sampled_from(["'hann'", "'hamming'", "'boxcar'", "'blackman'", "'nope'", "('kaiser', 4.0)"]),
    st.sampled_from(["np.ones(2048)", "np.ones((2048, 2))", "np.ones(7)", "None", "3"]),
)
CHOICE = {
    "center": st.sampled_from(["True", "False", "None", "0", "1", "'yes'"]),
    "pad_mode": st.sampled_from(["'constant'", "'reflect'", "'edge'", "'wrap'", "'bogus'", "3"]),
    "window": WINDOW,
    "dtype": st.sampled_from(
        ["np.float32", "np.float64", "np.complex64", "np.complex128", "np.int16", "'x'"]
    ),
    "norm": st.sampled_from(["None", "'slaney'", "'ortho'", "1", "2", "np.inf", "-3", "'x'"]),
    "htk": st.sampled_from(["True", "False", "None"]),
    "wavelet": st.sampled_from(["'mexh'", "'morl'", "'cmor1.5-1.0'", "'gaus3'", "'nope'", "5"]),
    "mode": st.sampled_from(["'interp'", "'mirror'", "'nearest'", "'wrap'", "'constant'", "'x'"]),
    "scales": st.one_of(
        st.lists(st.floats(0.1, 300), min_size=1, max_size=12).map(repr),
        st.sampled_from(
            [
                "np.arange(1, 10**6)",
                "[]",
                "[0.0]",
                "[-1.0]",
                "[float('nan')]",
                "np.arange(1, 40)",
                "[1e9]",
                "2.0",
            ]
        ),
    ),
    "features": st.sampled_from(
        ["['mfcc', 'rms']", "['chroma_stft', 'spectral_centroid']", "['bogus']", "[]", "None"]
    ),
    "frequencies": st.sampled_from(
        ["440.0", "[0.0, 440.0]", "np.array([-5.0, 1e308])", "float('nan')", "[]", "'A4'"]
    ),
    "note": st.sampled_from(["'A4'", "'C#3'", "['A4', 'Bb2']", "'H9'", "''", "3"]),
    "res_type": st.sampled_from(["'soxr_hq'", "'soxr_lq'", "'kaiser_best'", "None"]),
    "ref": st.sampled_from(["1.0", "np.max", "0.0", "-1.0", "float('nan')"]),
}
SIZE = ints(1, 4096)
NAMED_INTS = {
    "n_fft": ints(1, 4096),
    "hop_length": ints(1, 1024),
    "win_length": ints(1, 4096),
    "n_mels": ints(1, 256),
    "n_mfcc": ints(1, 64),
    "n_chroma": ints(1, 48),
    "n_bins": ints(1, 96),
    "bins_per_octave": ints(1, 48),
    "frame_length": ints(1, 4096),
    "width": ints(1, 41),
    "order": ints(0, 3),
    "polyorder": ints(0, 5),
    "size": ints(0, 10000),
    "Nx": ints(1, 4096),
    "n_bands": ints(1, 8),
    "precision": ints(1, 14),
    "length": ints(0, 10000),
    "axis": ints(-3, 2),
    "n": ints(1, 4096),
    "lifter": ints(0, 40),
    "dct_type": ints(0, 4),
}
NAMED_REALS = {
    "sr": reals(100, 96000),
    "orig_sr": reals(100, 96000),
    "target_sr": reals(100, 96000),
    "fmin": reals(0, 8000),
    "fmax": reals(1, 20000),
    "power": reals(0.1, 4),
    "tuning": reals(-0.5, 0.5),
    "roll_percent": reals(0, 1),
    "amin": reals(1e-12, 1),
    "top_db": reals(0, 120),
    "threshold": reals(0, 1),
    "filter_scale": reals(0.1, 4),
    "sparsity": reals(0, 1),
    "octwidth": reals(0.1, 4),
    "ctroct": reals(0, 8),
    "offset": reals(0, 1),
    "duration": reals(0, 1),
    "quantile": reals(0, 1),
    "sampling_period": reals(1e-6, 1),
    "resolution": reals(1e-3, 1),
    "gamma": reals(0, 100),
}


def _strategy(name: str) -> st.SearchStrategy[str]:
    if name in ("y", "data"):
        return SIG
    if name in ("S", "D", "stft_matrix", "S_db"):
        return st.one_of(SPEC, SIG)
    if name == "path":
        return FILE
    if name in CHOICE:
        return CHOICE[name]
    if name in NAMED_INTS:
        return NAMED_INTS[name]
    if name in NAMED_REALS:
        return NAMED_REALS[name]
    raise KeyError(name)


# function -> (required arguments, optional arguments)
API: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "F.stft": (
        ("y",),
        ("n_fft", "hop_length", "win_length", "window", "center", "pad_mode", "dtype"),
    ),
    "F.istft": (
        ("stft_matrix",),
        ("hop_length", "win_length", "n_fft", "window", "center", "length", "dtype"),
    ),
    "F.magphase": (("D",), ("power",)),
    "F.power_to_db": (("S",), ("ref", "amin", "top_db")),
    "F.amplitude_to_db": (("S",), ("ref", "amin", "top_db")),
    "F.db_to_power": (("S_db",), ()),
    "F.feature.melspectrogram": (
        (),
        (
            "y",
            "S",
            "sr",
            "n_fft",
            "hop_length",
            "win_length",
            "window",
            "center",
            "pad_mode",
            "power",
            "n_mels",
            "fmin",
            "fmax",
            "htk",
            "norm",
        ),
    ),
    "F.feature.mfcc": (
        (),
        (
            "y",
            "S",
            "sr",
            "n_mfcc",
            "dct_type",
            "lifter",
            "n_fft",
            "hop_length",
            "n_mels",
            "fmin",
            "fmax",
            "center",
            "window",
        ),
    ),
    "F.feature.chroma_stft": (
        (),
        (
            "y",
            "S",
            "sr",
            "n_fft",
            "hop_length",
            "n_chroma",
            "tuning",
            "center",
            "window",
            "octwidth",
            "ctroct",
        ),
    ),
    "F.feature.chroma_cqt": (
        (),
        ("y", "sr", "hop_length", "n_chroma", "bins_per_octave", "fmin", "tuning"),
    ),
    "F.feature.chroma_cens": ((), ("y", "sr", "hop_length", "n_chroma", "fmin")),
    "F.feature.spectral_centroid": (
        (),
        ("y", "S", "sr", "n_fft", "hop_length", "center", "window", "pad_mode"),
    ),
    "F.feature.spectral_bandwidth": (
        (),
        ("y", "S", "sr", "n_fft", "hop_length", "center", "power"),
    ),
    "F.feature.spectral_rolloff": (
        (),
        ("y", "S", "sr", "n_fft", "hop_length", "roll_percent", "center"),
    ),
    "F.feature.spectral_flatness": ((), ("y", "S", "n_fft", "hop_length", "amin", "power")),
    "F.feature.spectral_contrast": (
        (),
        ("y", "S", "sr", "n_fft", "hop_length", "fmin", "n_bands", "quantile"),
    ),
    "F.feature.rms": ((), ("y", "S", "frame_length", "hop_length", "center", "pad_mode")),
    "F.feature.zero_crossing_rate": (("y",), ("frame_length", "hop_length", "center", "threshold")),
    "F.feature.amplitude_envelope": (("y",), ("frame_length", "hop_length", "center", "pad_mode")),
    "F.zero_crossings": (("y",), ("threshold",)),
    "F.feature.delta": (("data",), ("width", "order", "axis", "mode", "polyorder")),
    "F.feature.stack": (("y",), ("sr", "features", "n_fft", "hop_length", "center")),
    "F.feature.scalogram": (
        ("y",),
        ("sr", "wavelet", "n_bins", "fmin", "fmax", "hop_length", "power", "precision"),
    ),
    "F.cqt": (
        ("y",),
        (
            "sr",
            "hop_length",
            "fmin",
            "n_bins",
            "bins_per_octave",
            "tuning",
            "filter_scale",
            "sparsity",
            "window",
            "dtype",
        ),
    ),
    "F.vqt": (("y",), ("sr", "hop_length", "fmin", "n_bins", "gamma", "bins_per_octave", "dtype")),
    "F.cwt": (("y", "scales"), ("wavelet", "sampling_period", "axis", "precision")),
    "F.piptrack": (
        (),
        ("y", "S", "sr", "n_fft", "hop_length", "fmin", "fmax", "threshold", "center"),
    ),
    "F.estimate_tuning": ((), ("y", "S", "sr", "n_fft", "resolution", "bins_per_octave")),
    "F.pitch_tuning": (("frequencies",), ("resolution", "bins_per_octave")),
    "F.filters.mel": (("sr", "n_fft"), ("n_mels", "fmin", "fmax", "htk", "norm", "dtype")),
    "F.filters.chroma": (
        ("sr", "n_fft"),
        ("n_chroma", "tuning", "ctroct", "octwidth", "norm", "dtype"),
    ),
    "F.filters.get_window": (("window", "Nx"), ()),
    "F.util.frame": (("y", "frame_length", "hop_length"), ("axis",)),
    "F.util.pad_center": (("data", "size"), ("axis",)),
    "F.util.fix_length": (("data", "size"), ("axis",)),
    "F.hz_to_mel": (("frequencies",), ("htk",)),
    "F.mel_to_hz": (("frequencies",), ("htk",)),
    "F.mel_frequencies": ((), ("n_mels", "fmin", "fmax", "htk")),
    "F.fft_frequencies": ((), ("sr", "n_fft")),
    "F.cqt_frequencies": (("n_bins",), ("fmin", "bins_per_octave", "tuning")),
    "F.hz_to_midi": (("frequencies",), ()),
    "F.note_to_hz": (("note",), ()),
    "F.note_to_midi": (("note",), ()),
    "F.resample": (("y", "orig_sr", "target_sr"), ("res_type",)),
    "F.to_mono": (("y",), ()),
    "F.load": (("path",), ("sr", "offset", "duration", "dtype")),
    "F.get_duration": ((), ("y", "sr", "path")),
}
IO_FUNCS = {"F.load", "F.get_duration"}
# Positional-only in librosa's signature style: passed positionally.
POSITIONAL = {
    "F.stft": 1,
    "F.istft": 1,
    "F.magphase": 1,
    "F.power_to_db": 1,
    "F.amplitude_to_db": 1,
    "F.db_to_power": 1,
    "F.zero_crossings": 1,
    "F.feature.zero_crossing_rate": 1,
    "F.feature.amplitude_envelope": 1,
    "F.feature.delta": 1,
    "F.feature.stack": 1,
    "F.feature.scalogram": 1,
    "F.cqt": 1,
    "F.vqt": 1,
    "F.cwt": 2,
    "F.pitch_tuning": 1,
    "F.util.frame": 1,
    "F.util.pad_center": 1,
    "F.util.fix_length": 1,
    "F.hz_to_mel": 1,
    "F.mel_to_hz": 1,
    "F.hz_to_midi": 1,
    "F.note_to_hz": 1,
    "F.note_to_midi": 1,
    "F.resample": 1,
    "F.to_mono": 1,
    "F.load": 1,
    "F.filters.get_window": 2,
    "F.cqt_frequencies": 1,
}


@st.composite
def call(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(API)))
    required, optional = API[name]
    chosen = list(required) + [p for p in optional if draw(st.booleans())]
    n_pos = POSITIONAL.get(name, 0)
    args = []
    for k, p in enumerate(chosen):
        value = draw(_strategy(p))
        args.append(value if k < n_pos else f"{p}={value}")
    return f"{name}({', '.join(args)})"


def _run_batch(calls: list[str]) -> list[tuple[str, str]]:
    payload = "".join(json.dumps([i, c]) + "\n" for i, c in enumerate(calls))
    env = dict(os.environ, FERROSA_MAX_MEMORY=os.environ.get("FERROSA_MAX_MEMORY", "2G"))
    try:
        res = subprocess.run(
            [sys.executable, "-c", WORKER, json.dumps(sorted(ALLOWED_IO))],
            input=payload,
            capture_output=True,
            text=True,
            timeout=BATCH_TIMEOUT,
            env=env,
        )
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
        started = [json.loads(ln) for ln in out.splitlines() if ln.strip()]
        last = started[-1][0] if started else 0
        pytest.fail(f"hang (> {BATCH_TIMEOUT} s) in: {calls[last]}")
    records = [json.loads(ln) for ln in res.stdout.splitlines() if ln.strip()]
    if res.returncode != 0:
        last = records[-1][0] if records else 0
        pytest.fail(f"process died (exit {res.returncode}) in: {calls[last]}\n{res.stderr[-1500:]}")
    return [(calls[i], out) for i, out in records if out != "start"]


@settings(
    max_examples=max(1, N_EXAMPLES // BATCH),
    deadline=None,
    derandomize=os.environ.get("FERROSA_FUZZ_RANDOM") is None,
    suppress_health_check=list(HealthCheck),
    database=None,
    # Each example is a subprocess: shrinking would rerun it hundreds of times.
    phases=[Phase.explicit, Phase.generate],
)
@given(st.lists(call(), min_size=BATCH, max_size=BATCH))
def test_public_api_never_crashes_or_hangs(calls):
    bad = []
    for src, out in _run_batch(calls):
        if out == "ok":
            continue
        kind = out.split(":", 1)[0]
        allowed = ALLOWED_IO if src.split("(", 1)[0] in IO_FUNCS else ALLOWED
        if kind not in allowed:
            bad.append(f"{src} -> {out}")
    assert not bad, "undocumented exceptions:\n" + "\n".join(bad)
