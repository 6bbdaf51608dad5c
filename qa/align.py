"""Pair English paragraphs with their Chinese originals.

When both languages have the same number of body paragraphs they are paired 1:1 (the
archive's translations keep the paragraphing). Otherwise a length-based dynamic
programme in the manner of Gale & Church pairs them in beads of 1-1, 1-2, 2-1, 1-0 and
0-1 paragraphs: translated text keeps a near-constant length ratio, which is estimated
from the article itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qa.articles import Article


@dataclass(frozen=True)
class Bead:
    """Paragraph indices (``Paragraph.index``) that translate each other."""

    en: tuple[int, ...]
    zh: tuple[int, ...]


# Cost of each bead shape on top of its length mismatch: skipping a paragraph is dearer
# than merging two, and merging dearer than a plain pair.
_SHAPE_COST = {(1, 1): 0.0, (1, 2): 1.0, (2, 1): 1.0, (1, 0): 3.0, (0, 1): 3.0}


def align_lengths(en: list[int], zh: list[int]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Align two sequences of paragraph lengths; returns beads of positions into each list."""
    if len(en) == len(zh):
        return [((i,), (i,)) for i in range(len(en))]
    ratio = (sum(en) or 1) / (sum(zh) or 1)
    n, m = len(en), len(zh)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for (di, dj), shape in _SHAPE_COST.items():
                a, b = i + di, j + dj
                if a > n or b > m:
                    continue
                le = sum(en[i:a])
                lz = sum(zh[j:b]) * ratio
                mismatch = abs(math.log((le + 1) / (lz + 1))) if di and dj else 0.0
                c = cost[i][j] + shape + 2.0 * mismatch
                if c < cost[a][b]:
                    cost[a][b] = c
                    back[a][b] = (i, j)
    beads = []
    i, j = n, m
    while (i, j) != (0, 0):
        prev = back[i][j]
        assert prev is not None
        pi, pj = prev
        beads.append((tuple(range(pi, i)), tuple(range(pj, j))))
        i, j = pi, pj
    return beads[::-1]


def align(article: Article) -> list[Bead]:
    """Beads over the article's body paragraphs; one-language articles get 1-0 beads."""
    en = article.parts["en"].body if "en" in article.parts else []
    zh = article.parts["zh"].body if "zh" in article.parts else []
    beads = align_lengths([len(p.text) for p in en], [len(p.text) for p in zh])
    return [Bead(tuple(en[k].index for k in e), tuple(zh[k].index for k in z)) for e, z in beads]
