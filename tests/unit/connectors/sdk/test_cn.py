"""Unified social credit code check digits (GB 32100-2015, GB 11714)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.sdk.cn import USCC_ALPHABET, is_valid_uscc, make_uscc, uscc_problem

VALID = ["91350100M000100Y43", "91440300708461136T"]


@pytest.mark.parametrize("code", VALID)
def test_worked_examples_pass(code: str) -> None:
    assert uscc_problem(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "check character should be 3"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M0001O0Y43", "outside the code alphabet: O"),
        ("91A50100M000100Y43", "administrative-division"),
    ],
)
def test_invalid_codes_say_why(code: str, reason: str) -> None:
    problem = uscc_problem(code)
    assert problem is not None
    assert reason in problem


@given(st.sampled_from(VALID), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_fails(code: str, position: int, char: str) -> None:
    changed = code[:position] + char + code[position + 1 :]
    assert is_valid_uscc(changed) == (changed == code)


@given(st.integers(0, 2**32))
def test_generated_codes_are_valid(seed: int) -> None:
    assert is_valid_uscc(make_uscc(random.Random(seed)))
