"""pytest plugin: run librosa's own test suite with ferrosa serving librosa's names.

Loaded with ``-p plugin`` (``benches/librosa_suite`` on ``sys.path``) while
pytest runs the tests of librosa 0.11.0's source distribution against the
installed librosa. At configure time, before any test module is imported, every
public function of ``librosa``, ``librosa.core``, ``librosa.feature``,
``librosa.feature.inverse``, ``librosa.filters``, ``librosa.util`` and
``librosa.effects`` that ferrosa defines under the same module path
(``librosa.feature.mfcc`` -> ``ferrosa.feature.mfcc``) is replaced, in every
``librosa.*`` module that binds it, by a wrapper that calls ferrosa's function
and records that the running test reached ferrosa. librosa's internals thus
call ferrosa too (``librosa.feature.melspectrogram`` -> ferrosa's ``stft``), and
every name ferrosa lacks stays librosa's.

``librosa.ParameterError`` is widened so that ``pytest.raises`` and
``xfail(raises=...)`` accept ferrosa's ``ParameterError`` too: with
``import ferrosa as librosa`` the two are the same class.

Environment:

``FERROSA_SUITE=librosa``
    serve nothing from ferrosa (the baseline run: librosa's own failures here).
``FERROSA_SUITE_OUT=path.json``
    write ``{nodeid: {"outcome", "reached", "message"}}`` there at the end.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import os
import sys
from collections import Counter
from typing import Any

# librosa namespace -> ferrosa namespace served in its place.
NAMESPACES = {
    "librosa": "ferrosa",
    "librosa.core": "ferrosa.core",
    "librosa.feature": "ferrosa.feature",
    "librosa.feature.inverse": "ferrosa.feature.inverse",
    "librosa.filters": "ferrosa.filters",
    "librosa.util": "ferrosa.util",
    "librosa.effects": "ferrosa.effects",
    "librosa.onset": "ferrosa.onset",
    "librosa.decompose": "ferrosa.decompose",
    "librosa.beat": "ferrosa.beat",
}

_current: list[str | None] = [None]
_reached: set[str] = set()
_calls: Counter[str] = Counter()
_results: dict[str, dict[str, Any]] = {}
_served: dict[str, str] = {}


def _wrap(fobj: Any, qual: str) -> Any:
    @functools.wraps(fobj)
    def served(*args: Any, **kwargs: Any) -> Any:
        if _current[0] is not None:
            _reached.add(_current[0])
        _calls[qual] += 1
        return fobj(*args, **kwargs)

    served.__ferrosa_served__ = qual  # type: ignore[attr-defined]
    return served


def _try_import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _widen_parameter_error() -> None:
    import ferrosa
    import librosa.util.exceptions as lexc

    base = lexc.ParameterError
    other = ferrosa.ParameterError

    class _Either(type):
        def __instancecheck__(cls, obj: Any) -> bool:
            return isinstance(obj, (base, other))

        def __subclasscheck__(cls, sub: Any) -> bool:
            return issubclass(sub, (base, other))

    class ParameterError(base, metaclass=_Either):  # type: ignore[misc, valid-type]
        """librosa's ParameterError that also matches ferrosa's."""

    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("librosa"):
            for attr, val in list(vars(mod).items()):
                if val is base:
                    setattr(mod, attr, ParameterError)


def install() -> dict[str, str]:
    """Swap ferrosa's functions into librosa's modules; return {librosa name: ferrosa name}."""
    import librosa

    # librosa attaches submodules lazily: import them all so every binding is patched.
    for sub in [
        "core",
        "core.spectrum",
        "core.audio",
        "core.convert",
        "core.constantq",
        "core.pitch",
        "core.notation",
        "core.harmonic",
        "feature",
        "feature.spectral",
        "feature.rhythm",
        "feature.utils",
        "feature.inverse",
        "filters",
        "util",
        "util.utils",
        "effects",
        "onset",
        "beat",
        "decompose",
        "segment",
        "sequence",
    ]:
        _try_import(f"librosa.{sub}")
    del librosa
    replacement: dict[int, Any] = {}
    for lname, fname in NAMESPACES.items():
        lmod = _try_import(lname)
        fmod = _try_import(fname)
        if lmod is None or fmod is None:
            continue
        for name in dir(lmod):
            if name.startswith("_"):
                continue
            lobj = getattr(lmod, name, None)
            if not (inspect.isfunction(lobj) or inspect.isbuiltin(lobj)):
                continue
            fobj = getattr(fmod, name, None)
            if fobj is None or not callable(fobj) or inspect.isclass(fobj) or fobj is lobj:
                continue
            if id(lobj) in replacement:
                continue
            qual = f"{fname}.{name}"
            replacement[id(lobj)] = _wrap(fobj, qual)
            _served[f"{lname}.{name}"] = qual
    for mod in list(sys.modules.values()):
        if not getattr(mod, "__name__", "").startswith("librosa"):
            continue
        for attr, val in list(vars(mod).items()):
            new = replacement.get(id(val))
            if new is not None:
                setattr(mod, attr, new)
    _widen_parameter_error()
    return dict(_served)


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "network: needs the network (deselected here)")
    if os.environ.get("FERROSA_SUITE", "ferrosa") != "librosa":
        served = install()
        sys.stderr.write(f"ferrosa serves {len(served)} librosa names\n")


def pytest_runtest_setup(item: Any) -> None:
    _current[0] = item.nodeid


def pytest_runtest_teardown(item: Any) -> None:
    _current[0] = item.nodeid


def pytest_runtest_logreport(report: Any) -> None:
    nodeid = report.nodeid
    rec = _results.setdefault(nodeid, {"outcome": "passed", "message": ""})
    if report.failed:
        rec["outcome"] = "failed" if report.when == "call" else "error"
        crash = getattr(report.longrepr, "reprcrash", None)
        rec["message"] = (crash.message if crash is not None else str(report.longrepr))[:300]
    elif report.skipped and rec["outcome"] == "passed":
        rec["outcome"] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
    rec["reached"] = nodeid in _reached


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for nodeid, rec in _results.items():
        rec["reached"] = nodeid in _reached
    out = os.environ.get("FERROSA_SUITE_OUT")
    if out:
        with open(out, "w") as fh:
            json.dump({"served": _served, "calls": dict(_calls), "tests": _results}, fh)
    counts = Counter(r["outcome"] for r in _results.values())
    reached = [r for r in _results.values() if r["reached"]]
    rcounts = Counter(r["outcome"] for r in reached)
    tr = terminalreporter
    tr.write_sep("=", "ferrosa librosa-suite")
    tr.write_line(f"names served by ferrosa: {len(_served)}")
    tr.write_line("all tests: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    tr.write_line(
        f"tests that reached ferrosa: {len(reached)} ("
        + ", ".join(f"{v} {k}" for k, v in sorted(rcounts.items()))
        + ")"
    )
