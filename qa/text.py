"""Text tools both sides share, with no state of the index: language detection,
sentence splitting and lexical tokens.

Sentences: offsets into the text, so a quoted sentence is always a slice of it. Tokens:
English is lower-cased, stop words dropped and Snowball-stemmed (so "defects" and
"defective" meet at "defect"); Chinese goes through jieba in search mode (long words and
their parts, so 次品 and 铁板次品 both match), punctuation and particles dropped, and Latin
words inside it take the English path. Numbers in any spelling become ASCII digits first
(``qa.numbers``).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from typing import Any

from qa.config import Lang
from qa.numbers import normalize_digits

_LATIN_WORD = re.compile(r"[A-Za-z]+")


def detect_language(text: str) -> Lang:
    """Chinese when Han characters outnumber Latin words (one Han character carries about
    as much as one English word), so "What does 次品 mean?" stays English."""
    return "zh" if len(HAN.findall(text)) >= max(1, len(_LATIN_WORD.findall(text))) else "en"


# --- sentences ---------------------------------------------------------------------
# English: a sentence ends at . ! ? (plus closing quotes/brackets) before white space and
# a capital, digit or opening quote, unless the word before the stop is an abbreviation.
_EN_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ABBREV = {
    "mr", "mrs", "ms", "dr", "st", "no", "nos", "co", "inc", "ltd", "jr", "sr", "vs", "etc",
    "e.g", "i.e", "gen", "col", "lt", "prof", "rev", "fig", "vol", "pp", "jan", "feb", "mar",
    "apr", "aug", "sept", "sep", "oct", "nov", "dec", "u.s", "u.k", "u.s.s.r", "cf", "al",
}  # fmt: skip
# Chinese: a sentence ends at 。！？； (or ! ? ;) plus any closing quotes or brackets.
_ZH_END = re.compile(r"[。！？；!?;…]+[”’」』）》)]*")


def _spans_en(text: str) -> list[tuple[int, int]]:
    cuts = []
    for m in _EN_END.finditer(text):
        # the word before the stop; a bounded look-back keeps long paragraphs linear
        word = re.search(r"([\w.]+)[.!?]?$", text[max(0, m.start() - 24) : m.start() + 1])
        stem = word.group(1).rstrip(".").lower() if word else ""
        if stem in _ABBREV or (len(stem) == 1 and stem.isalpha()):
            continue  # "Mr. Li", "i.e. the", "J. Smith"
        cuts.append(m.end())
    return spans_from_cuts(text, cuts)


def _spans_zh(text: str) -> list[tuple[int, int]]:
    return spans_from_cuts(text, [m.end() for m in _ZH_END.finditer(text)])


def strip_span(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def spans_from_cuts(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    bounds = [0, *cuts, len(text)]
    spans = [strip_span(text, a, b) for a, b in zip(bounds, bounds[1:], strict=False)]
    return [(a, b) for a, b in spans if b > a]


def sentence_spans(text: str, lang: Lang) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``; stripped of surrounding white space."""
    return _spans_en(text) if lang == "en" else _spans_zh(text)


# --- lexical tokens ----------------------------------------------------------------
_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")  # Han characters: language detection too
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*")
_EN_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
    ]
)
_ZH_STOP = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "也",
        "都",
        "就",
        "而",
        "又",
        "并",
        "被",
        "把",
        "对",
        "从",
        "等",
        "之",
        "其",
        "这",
        "那",
        "个",
        "一",
        "上",
        "下",
        "中",
        "为",
        "以",
        "于",
        "将",
        "着",
        "怎样",
        "怎么",
        "如何",
        "什么",
        "哪些",
        "吗",
        "呢",
        "吧",
    ]
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


_jieba_lock = threading.Lock()


def tokenize_en(text: str) -> list[str]:
    words = [w.replace("'s", "") for w in _EN_WORD.findall(text.lower())]
    stems: list[str] = _stemmer().stemWords([w for w in words if w and w not in _EN_STOP])
    return stems


def tokenize_zh(text: str) -> list[str]:
    jieba = _jieba()
    with _jieba_lock:  # jieba's lazy structures are not thread-safe
        words = list(jieba.cut_for_search(text))
    out: list[str] = []
    for w in words:
        w = w.strip()
        if not w or w in _ZH_STOP:
            continue
        if HAN.search(w):
            out.append(w)
        elif _LATIN_RUN.fullmatch(w):
            out.extend(tokenize_en(w))
    return out


def tokenize(text: str, lang: str) -> list[str]:
    """Lexical tokens of ``text``; numbers in any spelling become ASCII digits first, so a
    question's "1995" matches the archive's "１９９５" and "一九九五"."""
    text = normalize_digits(text)
    return tokenize_zh(text) if lang == "zh" else tokenize_en(text)


# English past forms a question writes in the base form after "did" ("What did Jefferson
# send…?" for "I sent a small squadron…"). Not those that are also other words ("found" a
# town, "saw", "left", "rose", "wound", "born"), nor "said": a question's "say" asks what
# was said, which every sentence that reports speech says too.
_EN_PAST_FORMS = (
    "sent:send made:make paid:pay built:build gave:give given:give took:take taken:take "
    "won:win bought:buy sold:sell told:tell held:hold met:meet brought:bring kept:keep "
    "spent:spend lost:lose began:begin begun:begin became:become grew:grow grown:grow "
    "fell:fall fallen:fall knew:know known:know chose:choose chosen:choose wrote:write "
    "written:write spoke:speak spoken:speak thought:think caught:catch taught:teach "
    "fought:fight sought:seek drew:draw drawn:draw drove:drive driven:drive seen:see "
    "went:go gone:go came:come ran:run stood:stand understood:understand struck:strike "
    "heard:hear meant:mean felt:feel dealt:deal lent:lend broke:break broken:break "
    "shot:shoot fled:flee sank:sink sunk:sink swore:swear sworn:swear threw:throw "
    "thrown:throw withdrew:withdraw withdrawn:withdraw undertook:undertake "
    "undertaken:undertake overcame:overcome upheld:uphold withheld:withhold"
)


@lru_cache(maxsize=1)
def _base_forms() -> dict[str, str]:
    """Each past form's stem -> its base form's stem (stemmed as ``tokenize_en`` does)."""
    stem = _stemmer().stemWord
    pairs = (p.split(":") for p in _EN_PAST_FORMS.split())
    return {stem(past): stem(base) for past, base in pairs}


def with_base_forms(tokens: frozenset[str]) -> frozenset[str]:
    """English ``tokens`` with the base form of each irregular past form among them, for the
    answer step only: the lexical index keeps ``tokenize``'s tokens, and a question that
    writes "sent" still finds "sent"."""
    forms = _base_forms()
    extra = {forms[t] for t in tokens if t in forms}
    return tokens | extra if extra else tokens
