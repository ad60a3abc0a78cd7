"""Human-readable store summaries (``ferrosa info``, the end of ``ferrosa prepare``)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["describe"]

_CONFIG_KEYS = (
    "feature",
    "sr",
    "mono",
    "segment_seconds",
    "segments_per_file",
    "segment_hop_seconds",
    "tail",
    "short",
    "n_fft",
    "hop_length",
    "n_mfcc",
    "n_mels",
    "deltas",
    "fmin",
    "fmax",
    "extra",
)


def describe(meta: dict[str, Any], path: str | os.PathLike[str] | None = None) -> str:
    """Describe a store from its ``meta.json`` dict.

    Parameters
    ----------
    meta : dict
    path : path-like, optional
        Shown in the first line.

    Returns
    -------
    str
        Several lines: shape, layout, feature parameters, per-split and
        per-label counts, and every failure with its reason.
    """
    counts = meta.get("counts", {})
    lines = [f"ferrosa feature store{f' {os.fspath(path)}' if path is not None else ''}"]
    n, c, f, t = meta.get("shape", [0, 0, 0, 0])
    lines.append(f"  features   {n} segments x (C={c}, F={f}, T={t}) float32")
    if "layout" in meta:
        lines.append(f"  layout     {meta['layout']} ({meta.get('data_dir', '?')})")
    cfg = meta.get("config", {})
    params = ", ".join(f"{k}={cfg[k]!r}" for k in _CONFIG_KEYS if k in cfg)
    lines.append(f"  config     {params}")
    if "designed_for" in meta:
        from .recipes import describe_features, presets_for

        fits = presets_for(cfg)
        which = (
            f"the {' and '.join(fits)} preset's features"
            if fits
            else "no preset's recommended features (train adapts or says what to run)"
        )
        lines.append(f"  holds      {describe_features(cfg)}: {which}")
    split = meta.get("split", {})
    if split:
        desc = split.get("method", "?")
        if "fractions" in split:
            desc += f" {split['fractions']} seed={split.get('seed')}"
        lines.append(f"  split      {desc}, grouped by {split.get('group_by', 'source')}")
        if split.get("warning"):
            lines.append(f"    warning: {split['warning']}")
    for name, d in counts.get("per_split", {}).items():
        lines.append(
            f"    {name:<6} {d.get('files', 0):6d} files {d.get('segments', 0):8d} segments"
        )
    mapping = meta.get("mapping", [])
    per_label = counts.get("per_label", {})
    lines.append(f"  labels     {len(mapping)}")
    for i, lab in enumerate(mapping):
        d = per_label.get(lab, {})
        lines.append(
            f"    {i:3d} {lab:<24} {d.get('files', 0):6d} files {d.get('segments', 0):8d} segments"
        )
    lines.append(
        f"  files      {counts.get('files', 0)} found, {counts.get('processed', 0)} processed, "
        f"{counts.get('failed', 0)} failed, {counts.get('excluded', 0)} excluded"
    )
    failures = meta.get("failures", [])
    if failures:
        lines.append(f"  failures   {len(failures)}")
        for fail in failures:
            lines.append(f"    {fail['path']}: {fail['reason']}")
    excluded = meta.get("excluded", [])
    if excluded:
        lines.append(
            f"  excluded   {len(excluded)} (first: {excluded[0]['path']}: {excluded[0]['reason']})"
        )
    versions = meta.get("versions", {})
    if versions:
        lines.append("  versions   " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    return "\n".join(lines)
