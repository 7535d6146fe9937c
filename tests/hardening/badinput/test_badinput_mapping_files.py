"""Malformed mapping files: every one is refused with its file, line and field, and nothing else.

A mapping is data an admin edits; a broken file must be reported where it is
broken (by the loader, ``synchub mappings validate``, the web editor and a run),
must never crash the loader with a Python error, and must never take the other
mapping files or the web app down with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli.app import app
from hub.mapping import MappingFileError, load_dir, load_file, load_text

GOOD = "connector: zoho-crm\nstream: accounts\nentity: customer\nfields:\n  name: {path: Account_Name}\n"


def alias_bomb() -> str:
    """Nine lines of nested YAML aliases: 9**9 nodes once expanded (the "billion laughs")."""
    lines = ["  a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return GOOD + "description:\n" + "\n".join(lines) + "\n"


# (file text, line the error names or None, where, words the message contains)
MALFORMED: dict[str, tuple[str, int | None, str, str]] = {
    "unclosed-flow": (GOOD + "match: [tax_id\n", 6, "(file)", "not valid YAML"),
    "tab-indent": (GOOD + "\tphone: {path: Phone}\n", 6, "(file)", "not valid YAML"),
    "not-a-map": ("- connector\n- stream\n", 1, "(file)", "expected a mapping of keys"),
    "empty": ("", None, "connector", "required key is missing"),
    "nul-bytes": ("\x00\x01\x02", None, "(file)", "not valid YAML"),
    "unknown-key": (GOOD + "colour: red\n", 6, "colour", "unknown key 'colour'"),
    "unknown-entity": (GOOD.replace("customer", "cutsomer"), 3, "entity", "unknown entity"),
    "unknown-field": (GOOD + "  nmae: {path: X}\n", 6, "fields.nmae", "has no field 'nmae'"),
    "path-and-in": (GOOD + "  phone: {path: P, in: Q}\n", 6, "fields.phone", "either `path`"),
    "bad-ref": (GOOD + "  owner: {path: O, ref: person}\n", 6, "fields.owner.ref", "unknown"),
    "bad-match": (GOOD + "match: [tax_id]\n", 6, "match[0]", "not a mapped field"),
    "field-not-a-map": (GOOD + "  phone: Phone\n", 6, "fields.phone", "valid dictionary"),
    "python-tag": (
        GOOD + '  phone: !!python/object/apply:os.system ["id"]\n',
        6,
        "fields.phone",
        "valid dictionary",
    ),
    "bad-expression": (
        GOOD + "  phone: {in: '{{ record.Phone + }}'}\n",
        6,
        "fields.phone.in",
        "syntax error",
    ),
    "expression-as-out-path": (
        GOOD + "  phone: {in: Phone, out: '{{ record.phone }}'}\n",
        6,
        "fields.phone.out",
        "`out` is a remote path",
    ),
    "unknown-filter": (
        GOOD + "  phone: {in: '{{ record.Phone | center(9) }}'}\n",
        6,
        "fields.phone.in",
        "filter 'center' is not allowed",
    ),
    "push-when-escape": (
        GOOD + "push_when: '{{ record.__class__ }}'\n",
        6,
        "push_when",
        "refused by the sandbox",
    ),
    "alias-bomb": (alias_bomb(), 7, "(file)", "anchors and aliases"),
    "deep-nesting": (
        GOOD + "description: " + "[" * 50_000 + "]" * 50_000 + "\n",
        None,
        "(file)",
        "nested too deeply",
    ),
    "wrong-version": ("version: 2\n" + GOOD, 1, "version", "Input should be 1"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_mapping_names_file_line_and_field(case: str) -> None:
    text, line, where, words = MALFORMED[case]
    with pytest.raises(MappingFileError) as caught:
        load_text(text, f"mappings/bad/{case}.yaml")
    first = str(caught.value).splitlines()[0]
    assert first.startswith(f"mappings/bad/{case}.yaml:{line if line else '?'}: {where}"), first
    assert words in str(caught.value)


def test_non_utf8_and_huge_files_are_reported_by_name(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(
        GOOD.replace("Account_Name", "Nom_Société").encode("latin-1")
    )
    with pytest.raises(MappingFileError, match=r"latin1.yaml:5: \(file\): not UTF-8 text"):
        load_file(tmp_path / "latin1.yaml")
    huge = tmp_path / "huge.yaml"
    huge.write_text(GOOD + "description: " + "长" * 190_000 + "\n", encoding="utf-8")
    assert load_file(huge).spec.stream == "accounts"  # as big as the web editor accepts: loads


def test_one_broken_file_is_reported_with_every_other_problem_and_spares_the_good_ones(
    tmp_path: Path,
) -> None:
    (tmp_path / "zoho_crm").mkdir()
    (tmp_path / "zoho_crm" / "customer.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "zoho_crm" / "bomb.yaml").write_text(alias_bomb(), encoding="utf-8")
    (tmp_path / "zoho_crm" / "latin1.yaml").write_bytes(b"connector: caf\xe9\n")
    with pytest.raises(MappingFileError) as caught:
        load_dir(tmp_path)
    message = str(caught.value)
    assert "bomb.yaml:7: (file): not valid YAML: anchors and aliases" in message
    assert "latin1.yaml:1: (file): not UTF-8 text" in message
    assert "customer.yaml" not in message
    assert load_file(tmp_path / "zoho_crm" / "customer.yaml").spec.entity == "customer"


def test_synchub_mappings_validate_names_each_bad_file_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNCHUB_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "bomb.yaml").write_text(alias_bomb(), encoding="utf-8")
    (folder / "typo.yaml").write_text(MALFORMED["unknown-field"][0], encoding="utf-8")
    result = CliRunner().invoke(app, ["mappings", "validate", str(folder)])
    assert result.exit_code == 1
    output = result.stdout.replace("\n", "")
    assert "bomb.yaml:7: (file): not valid YAML: anchors and aliases" in output
    assert "typo.yaml:6: fields.nmae" in output
    assert "1 valid, 2 invalid" in output
