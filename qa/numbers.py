"""One spelling for numbers: full-width digits (１２３), Chinese numerals (一百二十三) and
ASCII digits (123) are the same number. Archive text uses all three and users type ASCII,
so tokens (BM25) and the answer step's number matching see numbers through
``normalize_digits``. Output text is never normalised: answers stay verbatim.
"""

from __future__ import annotations

import re

# Full-width digits, Latin letters and the few signs numbers carry (．％，).
_FULL_WIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)}
    | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
    | {"．": ".", "％": "%", "·": ".", "／": "/", "－": "-"}
)
_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNIT = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
# A run of Chinese numerals. It must start with a digit or 十 ("万一" means "in case" and
# "千万" means "by all means"), and a lone numeral stays as it is: 一 and 十 begin too many
# ordinary words (一些, 统一, 十分).
_ZH_RUN = re.compile(r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]+")


_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百千]+)")


def _zh_value(run: str) -> int | None:
    """一百二十三 -> 123, 二千三百 -> 2300, 一九九八 -> 1998 (digit by digit; three or more,
    since 一一 and 一二 are mostly words), else None."""
    if all(c in _DIGIT for c in run):
        return int("".join(str(_DIGIT[c]) for c in run)) if len(run) >= 3 else None
    total = section = digit = 0
    for c in run:
        if c in _DIGIT:
            digit = _DIGIT[c]
        elif c in _UNIT:
            section += (digit or 1) * _UNIT[c]
            digit = 0
        elif c in _BIG:
            total = (total + section + digit) * _BIG[c]
            section = digit = 0
        else:
            return None
    return total + section + digit


def _zh_replace(m: re.Match[str]) -> str:
    value = _zh_value(m.group())
    return m.group() if value is None else str(value)


def _percent_replace(m: re.Match[str]) -> str:
    value = _zh_value(m.group(1)) if len(m.group(1)) > 1 else _DIGIT.get(m.group(1), 10)
    return m.group() if value is None else f"{value}%"


def normalize_digits(text: str) -> str:
    """``text`` with full-width characters made ASCII and Chinese numeral runs written in
    Arabic digits: '１９９５年' and '一九九五年' -> '1995年', '九十四个' -> '94个',
    '百分之九' -> '9%'."""
    text = _PERCENT.sub(_percent_replace, text.translate(_FULL_WIDTH))
    return _ZH_RUN.sub(_zh_replace, text)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A lone numeral counts as a number before a measure word: 八届, 五天到七天开一次, 半月,
# 十余支花箭.
# (normalize_digits leaves lone numerals alone, since 一 and 十 begin ordinary words; 一
# stays out here too: 一个, 一种 mostly mean "a".) Read by the answer step only; BM25
# tokens keep them as written, so the index does not change.
LONE_NUMERALS = "两二三四五六七八九十半"
# Not the tail of a longer numeral: 十 in 二十, 一 in 十一.
_NOT_AFTER_NUMERAL = r"(?<![零〇一二两三四五六七八九十百千万亿\d])"
_LONE = re.compile(
    rf"{_NOT_AFTER_NUMERAL}([{LONE_NUMERALS}])"
    # an approximate count too: 十余支, 十几朵
    r"(?=(?:余|多|几)?(?:[个名人户元吨年月日天周次项种家位届枚套部集条张辆台艘亩斤倍岁所批期"
    r"支朵棵只头匹座间本篇场块]|小时|分钟|角钱|毛钱|分钱|"
    # tenths: 增长了三成, 八成下岗职工; not 成员, 成立, 成为…
    r"成(?!员|立|为|功|绩|果|本|就|熟|交|都|长|型|效|份|分|品)))"
)
_LONE_VALUE = {"两": "2", "十": "10", "半": "0.5"} | {c: str(i) for c, i in _DIGIT.items()}
# 一 of a coin or a note, which counts a sum: "花一角钱买了一大碗面", "一块钱", "一元" (not 一元化).
_ONE_COIN = re.compile(rf"{_NOT_AFTER_NUMERAL}一(?=角钱|毛钱|分钱|块钱|元(?![化论]))")
# A calendar year, in the archive's span and after (a regex part, no groups).
YEAR = r"1[5-9]\d\d|20\d\d"


def numbers_in(text: str) -> set[str]:
    """The numbers written in ``text`` (any spelling), as ASCII strings without thousands
    separators: 'defects fell from 15% to 9%' -> {'15', '9'}; '连续当了八届' -> {'8'}."""
    return numbers_in_normalized(normalize_digits(text))


def numbers_in_normalized(norm: str) -> set[str]:
    """``numbers_in`` of a text already through ``normalize_digits``."""
    found = {m.group().replace(",", "") for m in _NUMBER.finditer(norm)}
    lone = {_LONE_VALUE[m.group(1)] for m in _LONE.finditer(norm)}
    return found | lone | ({"1"} if _ONE_COIN.search(norm) else set())


_YEAR = re.compile(rf"(?<!\d)({YEAR})(?!\d)")


def years_in(text: str) -> frozenset[int]:
    """Years ``text`` names, in any spelling: 'in 1987', '一九五四年', '１９９８年'."""
    return frozenset(int(y) for y in _YEAR.findall(normalize_digits(text)))
