"""Hypothesis strategies for canonical records: valid by construction, awkward by choice.

Text mixes Chinese, emoji, ASCII punctuation, quotes and SQL-ish fragments at
the field's full length; amounts go up to the model's ceiling; dates span the
model's whole range. A field mapped through a value map only takes values the
map can carry both ways (a many-to-one map is reported by its own test).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from hypothesis import strategies as st
from pydantic.fields import FieldInfo

from connectors.sdk.cn import USCC_ALPHABET, org_code_check_char, uscc_check_char
from hub.mapping import CompiledMapping
from hub.mapping.compiled import _key
from hub.model import DATA_MODELS, CanonicalValidationError, validate
from hub.model.entities import MAX_DATE, MIN_DATE
from hub.model.money import MINOR_UNITS

AWKWARD = ["'", '"', "\\", "%", "_", ";", "--", "/*", "<", ">", "&", "{{", "}}", "😀", "🧾"]
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),  # CJK ideographs
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # printable ASCII
        st.sampled_from(["😀", "🧾", "€", "¥", "·", "（", "）", "—"]),
    ),
    min_size=1,
)


def texts(max_length: int, min_length: int = 1) -> st.SearchStrategy[str]:
    """Text a field of ``max_length`` accepts after trimming (never blank)."""
    return st.one_of(
        TEXT.map(lambda s: s[:max_length]),
        st.lists(st.sampled_from([*AWKWARD, "合同", "客户", "A"]), min_size=1).map(
            lambda parts: "".join(parts)[:max_length]
        ),
        st.just("长" * max_length),
    ).filter(lambda s: len(s.strip()) >= min_length)


@st.composite
def tax_ids(draw: st.DrawFn) -> str:
    """A valid unified social credit code (both check characters right)."""
    head = draw(st.sampled_from(["91", "92", "12", "51"]))
    region = draw(st.sampled_from(["330100", "110000", "440300", "310000"]))
    org = "".join(
        draw(st.lists(st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"), min_size=8, max_size=8))
    )
    first17 = head + region + org + org_code_check_char(org)
    assert all(c in USCC_ALPHABET for c in first17)
    return first17 + uscc_check_char(first17)


EMAILS = st.from_regex(
    r"[a-z0-9]([a-z0-9._-]{0,18}[a-z0-9])?@[a-z0-9]{1,12}\.(cn|com|com\.cn)", fullmatch=True
)
HUB_IDS = st.builds(lambda: str(uuid.uuid4()))
RATES = st.one_of(
    st.sampled_from(
        [
            Decimal("0"),
            Decimal("0.01"),
            Decimal("0.03"),
            Decimal("0.06"),
            Decimal("0.09"),
            Decimal("0.13"),
        ]
    ),
    st.integers(0, 9999).map(lambda n: Decimal(n).scaleb(-4)),
)
CENTS = st.integers(0, 5 * 10**14 - 1)  # two of them stay below MAX_AMOUNT (10**13)


def amount(cents: int, currency: str) -> Decimal:
    """``cents`` hundredths as an amount with the currency's minor unit."""
    value = Decimal(cents).scaleb(-2)
    return value.quantize(Decimal(1)) if MINOR_UNITS[currency] == 0 else value


def field_strategy(name: str, info: FieldInfo, choices: list[Any] | None) -> st.SearchStrategy[Any]:
    """Values for one canonical field (``choices``: what its value map can carry)."""
    if choices is not None:
        return st.sampled_from(choices)
    annotation = info.annotation
    kinds = getattr(annotation, "__args__", (annotation,))
    kind = next(k for k in kinds if k is not type(None))
    limits = {type(m).__name__: m for m in info.metadata}
    if name.endswith("_id") and name != "tax_id":
        return HUB_IDS
    if name == "tax_id":
        return tax_ids()
    if name == "email":
        return EMAILS
    if name in ("tax_rate",):
        return RATES
    if name == "percent":
        return st.integers(0, 10000).map(lambda n: Decimal(n).scaleb(-2))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return st.sampled_from([member.value for member in kind])
    if kind is bool:
        return st.booleans()
    if kind is int:
        return st.integers(0, 10_000)
    if kind is date:
        return st.dates(MIN_DATE, MAX_DATE)
    if kind is datetime:
        naive_bounds = (datetime(1990, 1, 1), datetime(2100, 12, 31))  # noqa: DTZ001 - hypothesis wants naive bounds
        return st.datetimes(*naive_bounds, timezones=st.just(UTC))
    if kind is str:
        max_length = getattr(limits.get("MaxLen"), "max_length", 200)
        return texts(max_length)
    raise AssertionError(f"no strategy for {name}: {annotation}")


def value_choices(
    mapping: CompiledMapping, echo: Callable[[str], str] = str
) -> dict[str, list[Any]]:
    """Per field with a value map: canonical values it maps out and back to themselves.

    ``echo`` turns the remote value written into the one read back (Jira reads a
    transition ``new`` back as status ``new/`` with no resolution).
    """
    result: dict[str, list[Any]] = {}
    for compiled in mapping.fields:
        if compiled.values_out is None:
            continue
        result[compiled.name] = [
            canonical
            for canonical, remote in compiled.values_out.items()
            if compiled.values_in is None or compiled.values_in.get(echo(_key(remote))) == canonical
        ]
    return result


@dataclass(frozen=True)
class Target:
    """A mapping under test (its short repr keeps hypothesis reports readable)."""

    name: str
    mapping: CompiledMapping = field(repr=False)
    echo: Callable[[str], str] = field(default=str, repr=False)


@st.composite
def canonical_records(draw: st.DrawFn, target: Target) -> dict[str, Any]:
    """A validated canonical record of the mapping's entity, in the form the store hands out."""
    mapping, echo = target.mapping, target.echo
    entity = mapping.spec.entity
    model = DATA_MODELS[entity]
    choices = value_choices(mapping, echo)
    currency = draw(st.sampled_from(choices.get("currency") or sorted(MINOR_UNITS)))
    raw: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "currency":
            raw[name] = currency
        elif name in model.money_fields:
            raw[name] = amount(draw(CENTS), currency)
        elif info.is_required() or draw(st.booleans()):
            raw[name] = draw(field_strategy(name, info, choices.get(name)))
    if entity == "invoice":
        raw["gross"] = raw["net"] + raw["tax"]
        raw["reverses_id"] = None
    if entity == "contract" and raw.get("start_date") and raw.get("end_date"):
        raw["start_date"], raw["end_date"] = sorted((raw["start_date"], raw["end_date"]))
    if entity == "payment" and raw["amount"] <= 0:
        raw["amount"] = amount(100, currency)
    try:
        validated = validate(entity, raw)
    except CanonicalValidationError as exc:  # pragma: no cover - a strategy bug, shown in full
        raise AssertionError(f"strategy built an invalid {entity}: {exc}") from exc
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in validated.model_dump().items()}
