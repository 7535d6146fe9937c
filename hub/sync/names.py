"""Normalised company names, so "杭州云链信息科技有限公司" and "云链（杭州）信息科技股份有限公司" meet.

The same customer is typed by different people into different systems: a city
prefix here, a bracketed city there, 股份 or not, half- or full-width brackets,
stray spaces. Matching compares names with all of that removed; it is the
second match key, after the tax id, and an ambiguous result is held for a
person rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Provinces, municipalities and the large cities our users' customers sit in.
PLACES = (
    "北京",
    "上海",
    "天津",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "杭州",
    "深圳",
    "广州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "福州",
    "厦门",
    "宁波",
    "青岛",
    "大连",
    "长沙",
    "郑州",
    "济南",
    "合肥",
    "无锡",
    "东莞",
    "佛山",
    "珠海",
    "昆明",
    "沈阳",
    "哈尔滨",
    "长春",
)
LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "股份公司",
    "公司",
    "coltd",
    "limited",
    "ltd",
    "inc",
    "corp",
)

_PLACE = "|".join(sorted(PLACES, key=len, reverse=True))
_BRACKETED_PLACE = re.compile(rf"[(\[](?:{_PLACE})(?:省|市|自治区)?[)\]]")
_LEADING_PLACE = re.compile(rf"^(?:{_PLACE})(?:省|市|自治区)?")
_NOISE = re.compile(r"[\s·.,，。、\-_/&'\"“”()\[\]]")
_LEGAL = re.compile("(?:" + "|".join(re.escape(f) for f in LEGAL_FORMS) + ")$")


@lru_cache(maxsize=8192)
def normalise_name(name: str | None) -> str | None:
    """The match key of a company name; ``None`` for an empty name."""
    if not name:
        return None
    text = unicodedata.normalize("NFKC", name).lower()
    text = _BRACKETED_PLACE.sub("", text.replace("（", "(").replace("）", ")"))
    text = _LEADING_PLACE.sub("", text.strip())
    text = _NOISE.sub("", text)
    previous = None
    while previous != text:  # "...集团股份有限公司": strip legal forms repeatedly
        previous, text = text, _LEGAL.sub("", text)
    return text or None
