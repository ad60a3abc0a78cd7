"""The literal drop-in: ``sys.modules["librosa"]`` is ferrosa, and librosa-style scripts run.

Each script runs in a fresh interpreter in which every ``ferrosa.*`` module is
also registered as ``librosa.*`` before the script starts, so
``import librosa``, ``import librosa.display`` and ``from librosa.feature import
mfcc`` all resolve to ferrosa (and real librosa is never imported: the script
fails if it is).
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
sf = pytest.importorskip("soundfile")

PRELUDE = """
import sys, importlib
import ferrosa
for sub in ("core", "feature", "feature.inverse", "filters", "util", "effects", "display"):
    importlib.import_module("ferrosa." + sub)
for name in [m for m in sys.modules if m == "ferrosa" or m.startswith("ferrosa.")]:
    sys.modules["librosa" + name[len("ferrosa"):]] = sys.modules[name]
import matplotlib
matplotlib.use("Agg")
"""

EPILOGUE = """
import librosa as _l
assert _l is ferrosa, "librosa is not ferrosa"
import ferrosa.display
assert "librosa.display" in sys.modules and sys.modules["librosa.display"] is ferrosa.display
print("SCRIPT OK")
"""

SCRIPTS = {
    "features": """
        import numpy as np
        import librosa
        y, sr = librosa.load(AUDIO)
        y, index = librosa.effects.trim(y, top_db=30)
        mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13)
        d1 = librosa.feature.delta(mfcc)
        d2 = librosa.feature.delta(mfcc, order=2)
        feats = np.concatenate([mfcc, d1, d2])
        cent = librosa.feature.spectral_centroid(y=y, sr=sr)
        t = librosa.times_like(cent, sr=sr)
        assert t.shape == (cent.shape[-1],)
        zcr = librosa.feature.zero_crossing_rate(y)
        rms = librosa.feature.rms(y=y)
        frames = np.arange(rms.shape[-1])
        times = librosa.frames_to_time(frames, sr=sr)
        assert np.all(np.diff(times) > 0)
        print(feats.shape, zcr.shape)
    """,
    "spectrogram_plot": """
        import numpy as np
        import matplotlib.pyplot as plt
        import librosa
        import librosa.display
        y, sr = librosa.load(AUDIO, sr=None)
        D = librosa.amplitude_to_db(np.abs(librosa.stft(y)), ref=np.max)
        fig, ax = plt.subplots(nrows=2, sharex=True)
        img = librosa.display.specshow(D, y_axis="log", x_axis="time", sr=sr, ax=ax[0])
        fig.colorbar(img, ax=ax, format="%+2.0f dB")
        librosa.display.waveshow(y, sr=sr, ax=ax[1])
        fig.savefig(OUT / "spec.png")
        S = librosa.feature.melspectrogram(y=y, sr=sr, n_mels=64, fmax=8000)
        fig, ax = plt.subplots()
        img = librosa.display.specshow(librosa.power_to_db(S, ref=np.max), x_axis="ms",
                                       y_axis="mel", sr=sr, fmax=8000, ax=ax)
        plt.colorbar(img, ax=ax)
        fig.savefig(OUT / "mel.png")
    """,
    "constant_q": """
        import numpy as np
        import matplotlib.pyplot as plt
        import librosa
        import librosa.display
        y, sr = librosa.load(AUDIO)
        C = np.abs(librosa.cqt(y, sr=sr, fmin=librosa.note_to_hz("C2"), n_bins=60))
        fig, ax = plt.subplots(nrows=2)
        img = librosa.display.specshow(librosa.amplitude_to_db(C, ref=np.max), sr=sr,
                                       x_axis="time", y_axis="cqt_note",
                                       fmin=librosa.note_to_hz("C2"), ax=ax[0])
        fig.colorbar(img, ax=ax[0])
        chroma = librosa.feature.chroma_cqt(y=y, sr=sr)
        librosa.display.specshow(chroma, y_axis="chroma", x_axis="s", ax=ax[1])
        fig.savefig(OUT / "cqt.png")
    """,
    "silence_and_stereo": """
        import numpy as np
        import matplotlib.pyplot as plt
        import librosa
        import librosa.display
        y, sr = librosa.load(AUDIO, mono=False, sr=16000)
        assert y.ndim == 2
        intervals = librosa.effects.split(y, top_db=25)
        assert intervals.shape[1] == 2 and len(intervals) >= 1
        starts = librosa.samples_to_time(intervals[:, 0], sr=sr)
        fig, ax = plt.subplots()
        librosa.display.waveshow(y, sr=sr, ax=ax, alpha=0.5)
        fig.savefig(OUT / "wave.png")
        y_mono = librosa.to_mono(y)
        y_pre = librosa.effects.preemphasis(y_mono)
        y_back = librosa.effects.deemphasis(y_pre)
        assert np.allclose(y_back, y_mono, atol=1e-3)
        y8 = librosa.resample(y_mono, orig_sr=sr, target_sr=8000, res_type="polyphase")
        print(starts, y8.shape)
    """,
    "inverse": """
        import numpy as np
        import librosa
        y, sr = librosa.load(AUDIO, duration=1.0)
        S = librosa.feature.melspectrogram(y=y, sr=sr, n_mels=40)
        lin = librosa.feature.inverse.mel_to_stft(S, sr=sr)
        audio = librosa.feature.inverse.mel_to_audio(S, sr=sr, n_iter=4)
        mfcc = librosa.feature.mfcc(y=y, sr=sr)
        mel = librosa.feature.inverse.mfcc_to_mel(mfcc)
        norm = librosa.util.normalize(S, axis=0)
        fr = librosa.util.fix_frames([3, 9, 1], x_max=S.shape[-1])
        print(lin.shape, audio.shape, mel.shape, norm.max(), fr)
    """,
    "core_paths": """
        import librosa
        from librosa.core import stft, istft, cqt, load, resample
        from librosa.feature import mfcc, melspectrogram
        from librosa.filters import mel, chroma
        from librosa.util import frame, pad_center, normalize
        from librosa.effects import trim, split
        y, sr = load(AUDIO, duration=0.5)
        assert librosa.core.stft is librosa.stft
        y2 = istft(stft(y), length=len(y))
        print(abs(y2 - y).max())
    """,
}


@pytest.fixture(scope="module")
def audio(tmp_path_factory):
    d = tmp_path_factory.mktemp("swap")
    sr = 22050
    t = np.arange(int(2.5 * sr)) / sr
    env = ((t > 0.3) & (t < 1.2)) | ((t > 1.6) & (t < 2.2))
    left = env * (0.4 * np.sin(2 * np.pi * 330 * t) + 0.1 * np.sin(2 * np.pi * 990 * t))
    right = env * 0.3 * np.sin(2 * np.pi * 440 * t)
    path = d / "tone.wav"
    sf.write(path, np.stack([left, right], axis=1).astype(np.float32), sr)
    return path


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_librosa_script_runs_on_ferrosa(name, audio, tmp_path):
    body = textwrap.dedent(SCRIPTS[name])
    code = (
        PRELUDE
        + f"AUDIO = {str(audio)!r}\nfrom pathlib import Path\nOUT = Path({str(tmp_path)!r})\n"
        + body
        + "\nassert not any(m == 'librosa' or m.startswith('librosa.') for m in sys.modules"
        + " if sys.modules[m].__name__.split('.')[0] != 'ferrosa'), 'real librosa was imported'\n"
        + EPILOGUE
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "SCRIPT OK" in proc.stdout
    for png in tmp_path.glob("*.png"):
        assert png.stat().st_size > 1000


def test_namespace_matches_librosa_paths():
    pytest.importorskip("librosa")
    import ferrosa
    import librosa

    pairs = [
        (librosa, ferrosa),
        (librosa.core, ferrosa.core),
        (librosa.feature, ferrosa.feature),
        (librosa.filters, ferrosa.filters),
        (librosa.util, ferrosa.util),
        (librosa.effects, ferrosa.effects),
        (librosa.feature.inverse, ferrosa.feature.inverse),
    ]
    for lmod, fmod in pairs:
        assert fmod.__name__ == "ferrosa" + lmod.__name__[len("librosa") :]
    # every top-level function ferrosa shares with librosa.core is also in ferrosa.core
    shared = [n for n in dir(librosa.core) if not n.startswith("_") and hasattr(ferrosa, n)]
    missing = [n for n in shared if callable(getattr(ferrosa, n)) and not hasattr(ferrosa.core, n)]
    assert not missing, missing
    # and every librosa.core name in ferrosa.core is the top-level object
    for n in dir(ferrosa.core):
        public = not n.startswith("_") and hasattr(librosa.core, n)
        if public and callable(getattr(ferrosa.core, n)):
            assert getattr(ferrosa, n) is getattr(ferrosa.core, n), n
    for sub in ("feature", "filters", "util", "effects"):
        lmod, fmod = getattr(librosa, sub), getattr(ferrosa, sub)
        stray = [
            n
            for n in dir(ferrosa)
            if not n.startswith("_")
            and inspect.isfunction(getattr(ferrosa, n))
            and hasattr(lmod, n)
            and not hasattr(librosa, n)
            and not hasattr(fmod, n)
        ]
        assert not stray, (sub, stray)
    assert Path(ferrosa.display.__file__).name == "display.py"
