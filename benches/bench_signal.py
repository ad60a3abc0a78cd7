"""ferrosa's signal-processing pieces against their peers, one thread, one run.

Timings on a 30 s clip: reduce_noise vs noisereduce (stationary and
non-stationary), the python_speech_features compat vs the package (mfcc,
logfbank, ssc), periodogram/welch vs scipy.signal. Then an SNR table:
harmonic tones with vibrato mixed with white, pink and babble-like noise at
0/5/10 dB, denoised by ferrosa and noisereduce (same parameters).

    python benches/bench_signal.py [--seconds 30] [--sr 22050] [--no-snr]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import ferrosa  # noqa: E402
import numpy as np  # noqa: E402
from ferrosa.compat import python_speech_features as fpsf  # noqa: E402
from ferrosa.effects import reduce_noise  # noqa: E402


def _best(f, reps: int) -> float:
    f()
    best = np.inf
    for _ in range(reps):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def _tone(n: int, sr: int, f0: float, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / sr
    vib = 1 + 0.01 * np.sin(2 * np.pi * 5.5 * t + rng.uniform(0, 6.28))
    phase = 2 * np.pi * np.cumsum(f0 * vib) / sr
    env = 0.5 * (1 + np.sin(2 * np.pi * 0.4 * t + rng.uniform(0, 6.28))) ** 2
    return env * sum(np.sin(k * phase) / k for k in range(1, 9))


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spec.size)
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    return np.fft.irfft(spec, n)


def _babble(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    return sum(_tone(n, sr, rng.uniform(100, 300), rng) for _ in range(6))


def timings(seconds: float, sr: int) -> None:
    import noisereduce as nr
    import python_speech_features as psf
    import scipy.signal as ss

    rng = np.random.default_rng(0)
    n = int(seconds * sr)
    y = _tone(n, sr, 220, rng) * 0.3 + 0.05 * rng.standard_normal(n)
    rows = [
        (
            "reduce_noise stationary",
            lambda: nr.reduce_noise(y=y, sr=sr, stationary=True, n_jobs=1),
            lambda: reduce_noise(y, sr, stationary=True),
        ),
        (
            "reduce_noise non-stationary",
            lambda: nr.reduce_noise(y=y, sr=sr, stationary=False, n_jobs=1),
            lambda: reduce_noise(y, sr, stationary=False),
        ),
        ("psf mfcc", lambda: psf.mfcc(y, sr), lambda: fpsf.mfcc(y, sr)),
        ("psf logfbank", lambda: psf.logfbank(y, sr), lambda: fpsf.logfbank(y, sr)),
        ("psf ssc", lambda: psf.ssc(y, sr), lambda: fpsf.ssc(y, sr)),
        ("periodogram", lambda: ss.periodogram(y, sr), lambda: ferrosa.signal.periodogram(y, sr)),
        ("welch", lambda: ss.welch(y, sr), lambda: ferrosa.signal.welch(y, sr)),
    ]
    print(f"\n{seconds:g} s at {sr} Hz, one thread (best of 3)")
    print(f"{'case':30s} {'peer ms':>9s} {'ferrosa ms':>11s} {'ratio':>7s}")
    for name, peer, ours in rows:
        a, b = _best(peer, 3), _best(ours, 3)
        print(f"{name:30s} {a * 1e3:9.1f} {b * 1e3:11.1f} {a / b:6.1f}x")


def snr_table(sr: int) -> None:
    import noisereduce as nr

    rng = np.random.default_rng(1)
    n = 8 * sr
    clean = sum(_tone(n, sr, f0, rng) for f0 in (196.0, 330.0)) * 0.2
    noises = {
        "white": rng.standard_normal(n),
        "pink": _pink(n, rng),
        "babble": _babble(n, sr, rng),
    }

    def snr(x):
        return 10 * np.log10(np.sum(clean**2) / np.sum((x - clean) ** 2))

    print("\nSNR improvement (dB): harmonic tones with vibrato + noise, 8 s")
    print(
        f"{'noise':8s} {'in dB':>6s} {'ferrosa st':>11s} {'nr st':>7s} "
        f"{'ferrosa ns':>11s} {'nr ns':>7s}"
    )
    for kind, noise in noises.items():
        for db in (0, 5, 10):
            g = np.sqrt(np.sum(clean**2) / np.sum(noise**2) / 10 ** (db / 10))
            noisy = clean + g * noise
            clip = g * noise[: 2 * sr]
            cells = []
            for st in (True, False):
                kw = dict(stationary=st, y_noise=clip if st else None)
                ours = reduce_noise(noisy, sr, **kw)
                peer = nr.reduce_noise(y=noisy, sr=sr, n_jobs=1, **kw)
                cells += [snr(ours) - snr(noisy), snr(peer) - snr(noisy)]
            print(
                f"{kind:8s} {db:6d} {cells[0]:11.2f} {cells[1]:7.2f} "
                f"{cells[2]:11.2f} {cells[3]:7.2f}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--sr", type=int, default=22050)
    ap.add_argument("--no-snr", action="store_true")
    args = ap.parse_args()
    ferrosa.set_num_threads(1)
    timings(args.seconds, args.sr)
    if not args.no_snr:
        snr_table(args.sr)


if __name__ == "__main__":
    main()
