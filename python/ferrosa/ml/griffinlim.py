"""Griffin-Lim for the generation pipeline: :func:`ferrosa.griffinlim`.

Kept so ``ferrosa.ml.griffinlim.griffinlim`` keeps working; the
implementation (iteration loop in Rust) is :mod:`ferrosa.core.phase_recovery`.
"""

from __future__ import annotations

from ..core.phase_recovery import griffinlim

__all__ = ["griffinlim"]
