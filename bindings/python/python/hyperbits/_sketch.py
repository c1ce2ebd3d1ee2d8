"""Sketches and the dimension planner.

- :class:`Bloom` and :class:`BlockedBloom` -- sets of integer keys in bit-packed filters, with
  the blobs firmware reads in place (``to_bytes`` / ``from_bytes``).
- :func:`plan` -- the planner's table: which VSA at which dimension meets an error target, and
  what it costs, cheapest first.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from . import _hyperbits

Bloom = _hyperbits.Bloom
BlockedBloom = _hyperbits.BlockedBloom

__all__ = ["Bloom", "BlockedBloom", "plan"]


def plan(
    items: int,
    error: float,
    task: str = "membership",
    alphabet: Optional[int] = None,
    epsilon: Optional[float] = None,
    rigorous: bool = False,
    vsa: Optional[str] = None,
) -> List[Dict]:
    """The planner's table, as ``hyperbits plan`` prints it: one record per VSA (``vsa``,
    ``dim``, ``k``, ``block_len``, ``test``, ``threshold``, ``bytes``, ``fp``, ``fn``),
    cheapest first.

    ``task="membership"``: a set of ``items`` keys answering "is x in it?" with error
    ``error`` per answer, or over all ``alphabet`` symbols together. ``task="intersection"``:
    two sets of ``items`` whose shared count is estimated within ``±epsilon`` with
    probability ``1 - error``. ``rigorous`` uses sufficient bounds instead of the typical
    model; ``vsa`` restricts the table to one VSA by name (``"Bloom (SB-OR)"``, ...).
    """
    return _hyperbits.plan_table(
        int(items), float(error), task, alphabet, epsilon, bool(rigorous), vsa
    )
