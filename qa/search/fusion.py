"""Weighted reciprocal-rank fusion over paragraph pairs: pure functions over ranked ids.

A *unit* is an aligned paragraph pair (article id, bead). Each leg ranks chunks; a unit
scores ``weight / (k + rank)`` in a leg at the rank of its first chunk there, counting
each unit once per leg, so a paragraph and its translation (or a long paragraph's several
chunks) count once. Chunks keep their own fused score too, to pick which chunk shows a
unit. The constant ``k`` and the weights are settings (``QA_RRF_K``, ``QA_WEIGHT_*``).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

Unit = tuple[str, int]  # (article id, alignment bead): a paragraph pair
Hits = tuple[str, list[tuple[str, float]]]  # a dense leg: its name, (chunk id, cosine) best first


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
    untranslated_weights: Mapping[str, float] | None = None,
    untranslated: Collection[str] = frozenset(),
) -> Fused:
    """Fuse ``legs`` (leg -> chunk ids, best first). Chunks missing from ``unit_of`` (not
    committed, or filtered out) are skipped and do not take a rank. A leg named in
    ``untranslated_weights`` weighs the ``untranslated`` chunks (those with no
    translation) by that weight instead of its own: a cross-language leg is weak evidence
    for a paragraph the question's own language also finds, and the only evidence for
    one written in the other language alone."""
    out = Fused()
    instead = untranslated_weights or {}
    for leg, ids in legs.items():
        seen: set[Unit] = set()
        for rank, cid in enumerate((c for c in ids if c in unit_of), start=1):
            w = instead[leg] if leg in instead and cid in untranslated else weights[leg]
            out.chunks[cid] = out.chunks.get(cid, 0.0) + w / (k + rank)
            unit = unit_of[cid]
            if unit in seen:
                continue
            seen.add(unit)
            out.units[unit] = out.units.get(unit, 0.0) + w / (k + len(seen))
            out.ranks.setdefault(unit, {})[leg] = len(seen)
    return out


def with_untranslated(
    own: list[tuple[str, float]],
    cross: list[tuple[str, float]],
    untranslated: Collection[str],
    gap: float,
) -> tuple[list[str], list[str]]:
    """Two dense legs' rankings (chunk id, cosine), one over the question's language and one
    across: the cross hits with no translation move into the own-language ranking at
    their cosine plus ``gap`` (what a multilingual encoder takes off a match across
    languages). A paragraph written only in the other language then ranks as it would
    in the question's; the cross leg keeps the translations of paragraphs found in both."""
    moved = [(cid, sim + gap) for cid, sim in cross if cid in untranslated]
    merged = sorted(own + moved, key=lambda hit: -hit[1])  # stable: own hits first on ties
    return [cid for cid, _ in merged], [cid for cid, _ in cross if cid not in untranslated]


def fuse(
    legs: Mapping[str, list[str]],
    weights: Mapping[str, float],
    unit_of: Mapping[str, Unit],
    k: float,
    dense_pairs: Sequence[tuple[Hits, Hits]] = (),
    untranslated: Collection[str] = frozenset(),
    gap: float = 0.0,
    untranslated_weights: Mapping[str, float] | None = None,
) -> Fused:
    """``rrf`` over ``legs`` once each pair of dense legs (own language, across) has moved
    its ``untranslated`` cross hits into the own-language ranking (``with_untranslated``,
    by ``gap``): what retrieval does, and what ``eval/fit_fusion.py`` replays."""
    merged = dict(legs)
    for (own, own_hits), (cross, cross_hits) in dense_pairs:
        merged[own], merged[cross] = with_untranslated(own_hits, cross_hits, untranslated, gap)
    return rrf(merged, weights, unit_of, k, untranslated_weights, untranslated)


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
