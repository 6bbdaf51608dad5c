"""Weighted reciprocal-rank fusion on tiny hand-made rankings (no index, no models)."""

import pytest

from qa.search.fusion import add_leg, best_per_unit, fuse, rrf, with_untranslated

# chunks a1 (English) and a1z (its Chinese twin) are one paragraph pair; b1, b2 are two
# chunks of one long paragraph; c1 is a paragraph of its own
UNIT = {"a1": ("A", 0), "a1z": ("A", 0), "b1": ("B", 3), "b2": ("B", 3), "c1": ("C", 1)}
LANG = {"a1": "en", "a1z": "zh", "b1": "en", "b2": "en", "c1": "en"}


def test_a_unit_counts_once_per_leg_at_its_first_chunk():
    f = rrf({"bm25": ["b1", "b2", "c1"]}, {"bm25": 1.0}, UNIT, k=5)
    # b2 is B's second chunk: B keeps rank 1, and c1 is the leg's second unit, not its third
    assert f.units == pytest.approx({("B", 3): 1 / 6, ("C", 1): 1 / 7})
    assert f.ranks == {("B", 3): {"bm25": 1}, ("C", 1): {"bm25": 2}}
    # chunks keep their own rank: b2 is third in the leg
    assert f.chunks == pytest.approx({"b1": 1 / 6, "b2": 1 / 7, "c1": 1 / 8})


def test_weights_scale_each_leg_and_twins_add_up_across_legs():
    legs = {"dense:zh": ["a1z", "c1"], "bm25:en": ["c1", "a1"]}
    f = rrf(legs, {"dense:zh": 0.25, "bm25:en": 1.0}, UNIT, k=5)
    assert f.units[("A", 0)] == pytest.approx(0.25 / 6 + 1.0 / 7)
    assert f.units[("C", 1)] == pytest.approx(0.25 / 7 + 1.0 / 6)
    assert f.top(1) == [("C", 1)]
    assert f.ranks[("A", 0)] == {"dense:zh": 1, "bm25:en": 2}


def test_an_untranslated_chunk_takes_its_legs_weight_for_untranslated_text():
    # d1z is a Chinese paragraph with no English text; a1z is the twin of English a1
    unit = {**UNIT, "d1z": ("D", 0)}
    legs = {"dense:zh": ["a1z", "d1z"], "dense:en": ["a1"]}
    weights = {"dense:zh": 0.25, "dense:en": 0.75}
    f = rrf(legs, weights, unit, k=5, untranslated_weights={"dense:zh": 0.75}, untranslated={"d1z"})
    assert f.units[("D", 0)] == pytest.approx(0.75 / 7)  # rank 2 in zh, at 0.75
    assert f.units[("A", 0)] == pytest.approx(0.25 / 6 + 0.75 / 6)  # a1z keeps 0.25
    assert f.chunks["d1z"] == pytest.approx(0.75 / 7)
    plain = rrf(legs, weights, unit, k=5)
    assert plain.units[("D", 0)] == pytest.approx(0.25 / 7)


def test_untranslated_cross_hits_join_the_own_language_ranking_at_cosine_plus_gap():
    own = [("a1", 0.90), ("c1", 0.80)]
    cross = [("a1z", 0.85), ("d1z", 0.75), ("e1z", 0.60)]  # a1z translates a1; d1z, e1z don't
    ranked, rest = with_untranslated(own, cross, {"d1z", "e1z"}, gap=0.08)
    # d1z at 0.83 passes c1 (0.80); e1z at 0.68 comes last; a1z stays across languages
    assert ranked == ["a1", "d1z", "c1", "e1z"] and rest == ["a1z"]
    # with no gap the untranslated chunks rank by their raw cosine
    assert with_untranslated(own, cross, {"d1z", "e1z"}, gap=0.0)[0] == ["a1", "c1", "d1z", "e1z"]
    # a tie keeps the own-language hit first; nothing untranslated changes nothing
    tie = with_untranslated([("c1", 0.75)], [("d1z", 0.5)], {"d1z"}, 0.25)  # exact in binary
    assert tie[0] == ["c1", "d1z"]
    assert with_untranslated(own, cross, set(), 0.08) == (["a1", "c1"], ["a1z", "d1z", "e1z"])


def test_fuse_ranks_an_untranslated_cross_hit_in_the_own_language_leg():
    unit = {**UNIT, "d1z": ("D", 0)}
    own = ("dense:en", [("a1", 0.90), ("c1", 0.80)])
    cross = ("dense:zh", [("a1z", 0.85), ("d1z", 0.75)])
    legs = {"dense:en": ["a1", "c1"], "dense:zh": ["a1z", "d1z"]}
    weights = {"dense:en": 0.75, "dense:zh": 0.25}
    f = fuse(legs, weights, unit, 5, [(own, cross)], {"d1z"}, gap=0.08)
    # d1z (0.83) is the English leg's second, at 0.75; a1z stays in the Chinese leg
    assert f.units[("D", 0)] == pytest.approx(0.75 / 7)
    assert f.ranks[("D", 0)] == {"dense:en": 2} and f.ranks[("C", 1)] == {"dense:en": 3}
    assert f.units[("A", 0)] == pytest.approx(0.75 / 6 + 0.25 / 6)
    assert legs["dense:en"] == ["a1", "c1"]  # the caller's rankings are left as they were
    # without pairs it is plain rrf
    assert fuse(legs, weights, unit, 5).units == rrf(legs, weights, unit, 5).units


def test_chunks_not_committed_take_no_rank():
    f = rrf({"dense": ["orphan", "c1"]}, {"dense": 1.0}, UNIT, k=5)
    assert f.units == pytest.approx({("C", 1): 1 / 6})


def test_ties_break_by_unit_so_the_order_is_stable():
    f = rrf({"x": ["c1"], "y": ["b1"]}, {"x": 1.0, "y": 1.0}, UNIT, k=5)
    assert f.top(2) == [("B", 3), ("C", 1)]


def test_the_year_leg_adds_to_units_already_fused():
    f = rrf({"bm25": ["b1", "c1"]}, {"bm25": 1.0}, UNIT, k=5)
    add_leg(f, "year", [("C", 1)], 1.0, k=5)
    assert f.top(1) == [("C", 1)]
    assert f.ranks[("C", 1)] == {"bm25": 2, "year": 1}


def test_each_unit_is_shown_by_its_best_chunk_per_language():
    legs = {"bm25:en": ["b2", "a1"], "dense:en": ["b2", "b1"], "dense:zh": ["a1z"]}
    f = rrf(legs, {"bm25:en": 1.0, "dense:en": 1.0, "dense:zh": 1.0}, UNIT, k=5)
    best = best_per_unit(f, UNIT, LANG)
    assert best[("B", 3)] == {"en": "b2"}
    assert best[("A", 0)] == {"zh": "a1z", "en": "a1"}
