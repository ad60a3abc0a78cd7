"""`import ferrosa` is light, and `import ferrosa as librosa` keeps librosa's signatures."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from types import ModuleType
from typing import Any

import ferrosa
import librosa
import pytest

HEAVY = ("tensorflow", "keras", "matplotlib", "librosa", "numba", "torch")

# Generous: a cold start on a busy 2-core machine. The point is "no TensorFlow".
IMPORT_LIMIT_S = 1.0

PROBE = """
import json, sys, time
t0 = time.perf_counter()
import ferrosa
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def run_probe() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_is_light_and_fast():
    first = run_probe()
    loaded = set(first["modules"]) & set(HEAVY)
    assert not loaded, f"import ferrosa imported {sorted(loaded)}"
    # Best of two, so a disk-cache miss on the first run does not count.
    seconds = min(first["seconds"], run_probe()["seconds"])
    assert seconds < IMPORT_LIMIT_S, f"import ferrosa took {seconds:.2f} s"


# ------------------------------------------------------------------ signatures

# Namespaces mirrored from librosa: (ferrosa module path, librosa module).
NAMESPACES = {
    "": (ferrosa, librosa),
    "feature": (ferrosa.feature, librosa.feature),
    "filters": (ferrosa.filters, librosa.filters),
    "util": (ferrosa.util, librosa.util),
}

# Functions whose signature deliberately differs from librosa's, with the reason.
DOCUMENTED_DIFFERENCES: dict[str, str] = {}


def public_names(mod: ModuleType) -> list[str]:
    names = list(getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")])
    if mod is ferrosa:
        names += sorted(getattr(ferrosa, "_IO", ()))  # lazily resolved I/O functions
    return names


def shared_functions() -> list[tuple[str, Any, Any]]:
    found = []
    for prefix, (fmod, lmod) in NAMESPACES.items():
        for name in public_names(fmod):
            try:
                fobj = getattr(fmod, name)
            except (AttributeError, ImportError):
                continue  # optional dependency missing: nothing to compare
            lobj = getattr(lmod, name, None)
            if not (inspect.isfunction(fobj) and callable(lobj)) or inspect.isclass(lobj):
                continue
            qual = f"{prefix}.{name}" if prefix else name
            found.append((qual, fobj, lobj))
    return found


SHARED = shared_functions()


def is_deprecated(default: Any) -> bool:
    """librosa marks a retired argument with a ``Deprecated()`` default."""
    return type(default).__name__ == "Deprecated"


def same_default(a: Any, b: Any) -> bool:
    if is_deprecated(b):
        return True
    if a is b:
        return True
    try:
        return bool(a == b)
    except (ValueError, TypeError):
        return False


def test_shared_functions_found():
    names = {q for q, _, _ in SHARED}
    assert {"stft", "istft", "magphase", "power_to_db", "util.frame", "filters.get_window"} <= names


@pytest.mark.parametrize(("qual", "fobj", "lobj"), SHARED, ids=[q for q, _, _ in SHARED])
def test_signature_matches_librosa(qual, fobj, lobj):
    if qual in DOCUMENTED_DIFFERENCES:
        pytest.skip(DOCUMENTED_DIFFERENCES[qual])
    fsig = inspect.signature(fobj).parameters
    lsig = inspect.signature(lobj).parameters
    problems = []
    for name, lp in lsig.items():
        fp = fsig.get(name)
        if fp is None:
            if lp.kind is lp.VAR_KEYWORD and any(p.kind is p.VAR_KEYWORD for p in fsig.values()):
                continue
            if is_deprecated(lp.default):
                continue  # retired in librosa (e.g. get_duration's filename): may be dropped
            problems.append(f"missing parameter {name!r}")
            continue
        if fp.kind is not lp.kind:
            problems.append(f"{name!r} is {fp.kind.description}, librosa has {lp.kind.description}")
        if (fp.default is fp.empty) != (lp.default is lp.empty):
            problems.append(f"{name!r} required-ness differs")
        elif lp.default is not lp.empty and not same_default(fp.default, lp.default):
            problems.append(f"{name!r} default {fp.default!r} != librosa's {lp.default!r}")
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    forder = [n for n, p in fsig.items() if p.kind in positional]
    lorder = [n for n, p in lsig.items() if p.kind in positional]
    if forder != lorder:
        problems.append(f"positional order {forder} != librosa's {lorder}")
    # Extra ferrosa parameters are fine only if librosa-style calls cannot notice them.
    for name, fp in fsig.items():
        if name not in lsig and fp.kind not in (fp.KEYWORD_ONLY, fp.VAR_KEYWORD):
            problems.append(f"extra non-keyword-only parameter {name!r}")
        elif name not in lsig and fp.kind is fp.KEYWORD_ONLY and fp.default is fp.empty:
            problems.append(f"extra required parameter {name!r}")
    assert not problems, f"ferrosa.{qual}: " + "; ".join(problems)


# ------------------------------------------------------------------ the stub


def test_core_stub_matches_extension():
    # mypy's stubtest compares _core.pyi with the built module. The stub is
    # partial while kernels are being added, so names missing from it are
    # tolerated; every name it does declare must match the runtime exactly.
    pytest.importorskip("mypy")
    import ast
    from pathlib import Path

    stub = Path(ferrosa.__file__).with_name("_core.pyi")
    declared = {
        node.name
        for node in ast.parse(stub.read_text()).body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name != "__getattr__"
    }
    assert {"window", "stft", "istft", "set_num_threads", "get_num_threads"} <= declared
    proc = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "ferrosa._core"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [ln for ln in proc.stdout.splitlines() if ln.startswith("error: ferrosa._core.")]
    mine = [
        ln
        for ln in errors
        if ln.split()[1].removeprefix("ferrosa._core.").split(".")[0] in declared
    ]
    assert not mine, "\n".join(mine)
    assert errors or proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
