import numpy as np
import pytest

from qa.answer.align import align_sentences
from qa.ingest.align import align, align_lengths
from qa.ingest.articles import parse_file, parse_text
from tests.conftest import SEEDS


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_seed_body_paragraphs_pair_one_to_one_in_order(path):
    art = parse_file(path, 10**7)
    beads = align(art)
    en = [p.index for p in art.parts["en"].body]
    zh = [p.index for p in art.parts["zh"].body]
    assert len(en) == len(zh)
    assert [(b.en, b.zh) for b in beads] == [((e,), (z,)) for e, z in zip(en, zh, strict=True)]


def test_yangquan_defects_paragraph_pairs_with_its_original():
    art = parse_file(SEEDS / "002_4b03183e8eb21113.txt", 10**7)
    bead = next(b for b in align(art) if "15% to 9%" in art.parts["en"].paragraphs[b.en[0]].text)
    assert "百分之十五降低到百分之九" in art.parts["zh"].paragraphs[bead.zh[0]].text


def test_unequal_counts_merge_by_length():
    # English paragraph 1 was split in two in the Chinese (lengths scale by ~3).
    beads = align_lengths([300, 600, 300], [100, 100, 100, 100])
    assert beads == [((0,), (0,)), ((1,), (1, 2)), ((2,), (3,))]


@pytest.mark.parametrize(
    "en, zh", [([300, 30, 300], [100, 100]), ([50] * 7, [20] * 3), ([10], [5] * 4), ([], [9])]
)
def test_every_paragraph_is_used_once_in_order(en, zh):
    beads = align_lengths(en, zh)
    assert [i for e, _ in beads for i in e] == list(range(len(en)))
    assert [j for _, z in beads for j in z] == list(range(len(zh)))
    assert all(e or z for e, z in beads)


def test_one_language_article_aligns_to_nothing():
    art = parse_text("Title: T\nDate: 1954-01-02\n\nFirst.\n\nSecond.\n", "a", "a.txt")
    assert [(b.en, b.zh) for b in align(art)] == [((0,), ()), ((1,), ())]


def test_a_long_uneven_alignment_stays_near_the_diagonal_and_covers_everything():
    """6,000 x 6,001 paragraphs: the banded search is linear (the full table took 3.7 GB);
    every paragraph of both sides is in exactly one bead, in order."""
    import random

    rng = random.Random(1)
    en = [rng.randint(10, 60) for _ in range(6000)]
    zh = [rng.randint(5, 30) for _ in range(6001)]
    beads = align_lengths(en, zh)
    assert [i for e, _ in beads for i in e] == list(range(6000))
    assert [j for _, z in beads for j in z] == list(range(6001))


# --- sentences: qa.answer.align, on tiny vectors -------------------------------------------
def _vecs(*rows: tuple[float, ...]) -> np.ndarray:
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_sentences_pair_in_order_even_where_a_neighbour_is_nearer():
    """The second sentence is nearer the first translation (0.8 against 0.6), but that one
    is taken: in order, the second pairs with the second."""
    own = _vecs((1, 0), (0.8, 0.6))
    other = _vecs((1, 0), (0, 1))
    assert align_sentences(own, [10, 10], other, [10, 10], 1.0) == [range(0, 1), range(1, 2)]


def test_a_sentence_takes_in_the_two_it_was_split_into():
    own = _vecs((1, 1, 0))
    other = _vecs((1, 0, 0), (0, 1, 0), (0, 0, 1))
    assert align_sentences(own, [20], other, [10, 10, 10], 1.0) == [range(0, 2)]
    # ...but not across chunks: a run is quoted as one slice of one chunk
    runs = align_sentences(own, [20], other, [10, 10, 10], 1.0, other_groups=[0, 1, 1])
    assert runs in ([range(0, 1)], [range(1, 2)])


def test_the_wider_windows_extra_sentences_cost_nothing_and_empty_input():
    own = _vecs((0, 1, 0), (0, 0, 1))
    other = _vecs((1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 0, 0))
    assert align_sentences(own, [10, 10], other, [10] * 4, 1.0) == [range(1, 2), range(2, 3)]
    assert align_sentences(own[:0], [], other, [10] * 4, 1.0) == []
    with pytest.raises(ValueError):
        align_sentences(own, [10, 10], other[:0], [], 1.0)


def test_two_sentences_cut_at_different_places_pair_as_two_against_two():
    """Sentences "A B1." "B2." against "A." "B1 B2.": one against one gives each half its
    translation; two against two gives both all of it."""
    own = _vecs((1, 1, 0), (0, 0, 1))
    other = _vecs((1, 0, 0), (0, 1, 1))
    assert align_sentences(own, [20, 10], other, [10, 20], 1.0) == [range(0, 2)] * 2


def test_sentences_that_share_one_translation_form_a_run():
    from qa.answer.align import shared_runs

    # sentences 0-1 share translation 0; 3-4 overlap at 2; each run stays in its chunk
    twins = [range(0, 1), range(0, 1), range(1, 2), range(2, 3), range(2, 4)]
    assert shared_runs(twins, [(0, 3)] * 3 + [(3, 5)] * 2) == [range(0, 2), range(3, 5)]
    assert shared_runs(twins, [(0, 1), (1, 3), (1, 3), (3, 4), (4, 5)]) == []
    # a sentence with no translation joins nothing
    assert shared_runs([range(0, 1), range(1, 1), range(1, 2)], [(0, 3)] * 3) == []
    assert shared_runs([], []) == []
