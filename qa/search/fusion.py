"""Weighted reciprocal-rank fusion over paragraph pairs: pure functions over ranked ids.

A *unit* is an aligned paragraph pair (article id, bead). Each leg ranks chunks; a unit
scores ``weight / (k + rank)`` in a leg at the rank of its first chunk there, counting
each unit once per leg, so a paragraph and its translation (or a long paragraph's several
chunks) count once. Chunks keep their own fused score too, to pick which chunk shows a
unit. The constant ``k`` and the weights are settings (``QA_RRF_K``, ``QA_WEIGHT_*``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

Unit = tuple[str, int]  # (article id, alignment bead): a paragraph pair


@dataclass
class Fused:
    units: dict[Unit, float] = field(default_factory=dict)  # fused score per unit
    ranks: dict[Unit, dict[str, int]] = field(default_factory=dict)  # leg -> 1-based rank
    chunks: dict[str, float] = field(default_factory=dict)  # fused score per chunk

    def top(self, k: int) -> list[Unit]:
        """The ``k`` best units, ties broken by the unit itself (stable across runs)."""
        return sorted(self.units, key=lambda u: (-self.units[u], u))[:k]


def rrf(
    legs: Mapping[str, list[str]],
    weights: Mapping[str, float],
    unit_of: Mapping[str, Unit],
    k: float,
) -> Fused:
    """Fuse ``legs`` (leg -> chunk ids, best first). Chunks missing from ``unit_of`` (not
    committed, or filtered out) are skipped and do not take a rank."""
    out = Fused()
    for leg, ids in legs.items():
        w = weights[leg]
        seen: set[Unit] = set()
        for rank, cid in enumerate((c for c in ids if c in unit_of), start=1):
            out.chunks[cid] = out.chunks.get(cid, 0.0) + w / (k + rank)
            unit = unit_of[cid]
            if unit in seen:
                continue
            seen.add(unit)
            out.units[unit] = out.units.get(unit, 0.0) + w / (k + len(seen))
            out.ranks.setdefault(unit, {})[leg] = len(seen)
    return out


def add_leg(fused: Fused, name: str, ranked: list[Unit], weight: float, k: float) -> None:
    """One more leg over units already fused (the year leg: the units of articles dated
    in a year the question names, in their fused order)."""
    for rank, unit in enumerate(ranked, start=1):
        fused.units[unit] += weight / (k + rank)
        fused.ranks[unit][name] = rank


def best_per_unit(fused: Fused, unit_of: Mapping[str, Unit], lang_of: Mapping[str, Hashable]
                  ) -> dict[Unit, dict[Hashable, str]]:  # fmt: skip
    """For each unit, its best-scored chunk in each language: unit -> lang -> chunk id."""
    best: dict[Unit, dict[Hashable, str]] = {}
    for cid in sorted(fused.chunks, key=lambda c: -fused.chunks[c]):
        best.setdefault(unit_of[cid], {}).setdefault(lang_of[cid], cid)
    return best
