"""The mapping engine: paths, value maps, expressions, references, and refusals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from hub.mapping import MappingError, MappingFileError, load_file, load_text

BASE = """\
connector: zoho-crm
stream: accounts
entity: customer
owner: zoho-crm
match: [tax_id, name]
fields:
  name: {path: Account_Name}
  tax_id: {path: Tax_ID, owner: kingdee}
  status:
    path: Account_Status
    values: {Active: active, Inactive: inactive, Dormant: inactive}
  owner: {in: "{{ record.Owner.name }}"}
  email: {in: "{{ record.Email | lower }}", out: Email}
  address: {in: "{{ record.City }} {{ record.Street }}"}
  industry: {path: Industry, default: 软件}
extra:
  region: {path: Region__c}
constants:
  Layout: {id: "L1"}
"""
REMOTE = {
    "id": "5725767000001234001",
    "Account_Name": "杭州云链信息科技有限公司",
    "Tax_ID": "91350100M000100Y43",
    "Account_Status": "Dormant",
    "Owner": {"name": "Pat", "id": "9"},
    "Email": "FINANCE@Example.CN",
    "City": "杭州",
    "Street": "滨江区 1 号",
    "Region__c": "East",
}


def test_inbound_paths_maps_expressions_templates_defaults_extra() -> None:
    mapped = load_text(BASE).apply_in(REMOTE)
    assert mapped.values == {
        "name": "杭州云链信息科技有限公司",
        "tax_id": "91350100M000100Y43",
        "status": "inactive",
        "owner": "Pat",
        "email": "finance@example.cn",
        "address": "杭州 滨江区 1 号",
        "industry": "软件",
    }
    assert mapped.extra == {"region": "East"}


def test_outbound_inverts_value_maps_and_adds_constants() -> None:
    mapping = load_text(BASE)
    remote = mapping.apply_out(
        {"name": "A", "tax_id": None, "status": "inactive", "email": "a@b.cn"}, {"region": "W"}
    )
    assert remote == {
        "Layout": {"id": "L1"},
        "Account_Name": "A",
        "Tax_ID": None,
        "Account_Status": "Inactive",  # first remote value mapping to inactive
        "Email": "a@b.cn",
        "Industry": None,
        "Region__c": "W",
    }


def test_ownership_defaults_to_the_file_owner() -> None:
    mapping = load_text(BASE)
    assert mapping.owner_of("tax_id") == "kingdee"
    assert mapping.owner_of("name") == "zoho-crm"


def test_unknown_enumeration_value_is_a_mapping_error_naming_field_and_value() -> None:
    with pytest.raises(MappingError) as caught:
        load_text(BASE).apply_in({**REMOTE, "Account_Status": "Frozen"})
    assert caught.value.field == "status"
    assert "'Frozen'" in str(caught.value)
    assert "Active, Dormant, Inactive" in str(caught.value)


def test_nested_out_paths_and_dotted_keys() -> None:
    mapping = load_text(
        """\
connector: kingdee
stream: contracts
entity: contract
fields:
  number: {path: FBillNo}
  amount: {in: "{{ record['FSaleOrderFinance.FBillAllAmount'] | decimal }}", out: FSaleOrderFinance.FBillAllAmount, out_value: "{{ record.amount | number }}"}
  customer_id: {path: FCustId.FNumber, ref: customer, ref_key: remote_key}
"""
    )
    resolved = {
        ("customer", "C001", "remote_key"): "hub-1",
        ("customer", "hub-1", "remote_key"): "C001",
    }
    mapped = mapping.apply_in(
        {"FBillNo": "SO1", "FSaleOrderFinance.FBillAllAmount": 1060.5, "FCustId.FNumber": "C001"},
        resolve=lambda e, i, k: resolved.get((e, i, k)),
    )
    assert mapped.values == {"number": "SO1", "amount": Decimal("1060.5"), "customer_id": "hub-1"}
    remote = mapping.apply_out(mapped.values, resolve=lambda e, i, k: resolved.get((e, i, k)))
    assert remote == {
        "FBillNo": "SO1",
        "FSaleOrderFinance": {"FBillAllAmount": 1060.5},
        "FCustId": {"FNumber": "C001"},
    }


def test_unresolved_references_are_reported_not_guessed() -> None:
    mapping = load_text(
        "connector: x\nstream: s\nentity: contact\nfields:\n  name: {path: N}\n  customer_id: {path: A.id, ref: customer}\n"
    )
    mapped = mapping.apply_in({"N": "n", "A": {"id": "77"}}, resolve=lambda e, i, k: None)
    assert mapped.values["customer_id"] is None
    assert mapped.unresolved == {"customer_id": "77"}
    with pytest.raises(MappingError, match="not linked to a record of this system yet"):
        mapping.apply_out({"name": "n", "customer_id": "hub-9"}, resolve=lambda e, i, k: None)


def test_failing_expression_is_reported_with_its_field() -> None:
    mapping = load_text(
        'connector: x\nstream: s\nentity: customer\nfields:\n  name: {in: "{{ record.missing.deeper }}"}\n'
    )
    with pytest.raises(MappingError, match="field name"):
        mapping.apply_in({})


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ record.__init__.__globals__ }}",
        "{{ record | attr('__class__') }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ record._private }}",
        "{{ record | pprint }}",
    ],
)
def test_sandbox_escapes_are_refused_at_load_with_file_line_and_field(expression: str) -> None:
    text = f'connector: x\nstream: s\nentity: customer\nfields:\n  name: {{path: N}}\n  email: {{in: "{expression}"}}\n'
    with pytest.raises(MappingFileError) as caught:
        load_text(text, "evil.yaml")
    message = str(caught.value)
    assert message.startswith("evil.yaml:6: fields.email.in:")
    assert "refused" in message or "not allowed" in message


def test_runtime_sandbox_blocks_what_static_checks_cannot_see() -> None:
    mapping = load_text(
        'connector: x\nstream: s\nentity: customer\nfields:\n  name: {in: "{{ record.a | attr(record.b) }}"}\n'
    )
    with pytest.raises(MappingError):
        mapping.apply_in({"a": "", "b": "__class__"})


@pytest.mark.parametrize(
    ("text", "line", "where", "words"),
    [
        (
            "connector: x\nstream: s\nentity: customer\nfields:\n  name: {path: N}\n  nmae: {path: M}\n",
            6,
            "fields.nmae",
            "has no field 'nmae'",
        ),
        (
            "connector: x\nstream: s\nentity: customer\nfields:\n  name: {path: N, colour: red}\n",
            5,
            "fields.name.colour",
            "unknown key 'colour'",
        ),
        (
            "connector: x\nstream: s\nentity: custmer\nfields:\n  name: {path: N}\n",
            3,
            "entity",
            "unknown entity",
        ),
        (
            "connector: x\nstream: s\nentity: customer\nmatch: [tax_id]\nfields:\n  name: {path: N}\n",
            4,
            "match[0]",
            "not a mapped field",
        ),
        (
            "connector: x\nstream: s\nentity: customer\nfields:\n  name: {in: '{{ record.a + }}'}\n",
            5,
            "fields.name.in",
            "syntax error",
        ),
        (
            "connector: x\nentity: customer\nfields:\n  name: {path: N}\n",
            None,
            "stream",
            "required key is missing",
        ),
        (
            "connector: x\nstream: s\nentity: customer\nfields:\n  name: {path: N, in: M}\n",
            5,
            "fields.name",
            "either `path` or `in`",
        ),
    ],
)
def test_file_errors_name_file_line_and_field(
    text: str, line: int | None, where: str, words: str
) -> None:
    with pytest.raises(MappingFileError) as caught:
        load_text(text, "m.yaml")
    first = str(caught.value).splitlines()[0]
    assert first.startswith(f"m.yaml:{line if line is not None else '?'}: {where}: ")
    assert words in first


def test_not_yaml_is_reported_with_its_line() -> None:
    with pytest.raises(MappingFileError, match=r"m.yaml:3: \(file\): not valid YAML"):
        load_text("connector: x\nfields:\n  a: [unclosed\n", "m.yaml")


def test_expressions_are_compiled_once(tmp_path: Path) -> None:
    from hub.mapping.expressions import compile_expression

    path = tmp_path / "c.yaml"
    path.write_text(
        'connector: x\nstream: s\nentity: customer\nfields:\n  name: {in: "{{ record.N | upper }}"}\n'
    )
    compile_expression.cache_clear()
    mapping = load_file(path)
    for i in range(50):
        assert mapping.apply_in({"N": f"n{i}"}).values["name"] == f"N{i}"
    assert compile_expression.cache_info().misses == 1
