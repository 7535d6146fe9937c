"""Hostile Jinja2 in mappings: refused with the field named, without reaching Python, files,
the network, or enough memory or CPU to hurt the process that loads or runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hub.mapping import MappingError, MappingFileError, load_text

PROBE = Path(__file__).with_name("hostile_probe.py")
REPO = Path(__file__).resolve().parents[3]

ESCAPES = [
    # Python internals
    "{{ record.__class__.__mro__[1].__subclasses__() }}",
    "{{ record | attr('_' ~ '_class_' ~ '_') }}",
    "{{ ('{0._' ~ '_class__}').format(record) }}",
    "{{ 'x'.format }}",
    "{{ self._TemplateReference__context }}",
    "{{ dict.mro() }}",
    "{{ record.get.__self__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ joiner }}",
    "{{ namespace }}",
    "{{ config.items() }}",
    "{{ request.application }}",
    "{{ range(10) | list }}",
    # mutating what the engine handed in
    "{{ record.update({'Account_Name': 'x'}) }}",
    "{{ record.pop('Account_Name') }}",
    "{{ record.clear() }}",
    "{{ record.setdefault('k', 1) }}",
    # the file system and the network
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}{{ os }}",
    "{% extends '../../config/hub.yaml' %}",
    "{% from '/etc/hostname' import x %}{{ x }}",
    "{{ open('/etc/passwd').read() }}",
    "{{ __import__('socket').create_connection(('127.0.0.1', 5432)) }}",
]
BOMBS = [
    "{{ 'a' * 2000000000 }}",
    "{{ [0] * 999999999 }}",
    "{{ record.Amount ** 99999999 }}",
    "{{ '%999999999d' % 1 }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ 'a'.ljust(999999999) }}",
    "{{ 'a'.zfill(999999999) }}",
    "{{ '\\t'.expandtabs(999999999) }}",
    "{{ 'a'.translate({97: 'b'}) }}",
    "{{ ('a' * 100) | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa')"
    " | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa') }}",
    "{{ (['a' * 1000] * 100) | join('b' * 1000) }}",
    "{{ [[1] * 1000] * 100 | sum(start=[]) }}",
    "{{ '1e999999999' | decimal | int }}",
    "{{ '1e999999999' | decimal | number }}",
    "{% for a in record.L %}{% for b in record.L %}{{ a }}{% endfor %}{% endfor %}",
]


def probe(expressions: list[str]) -> list[dict[str, str]]:
    """Every expression loaded and run in a child capped at 1 GB (see hostile_probe.py)."""
    done = subprocess.run(
        [sys.executable, str(PROBE)],
        input=json.dumps(expressions),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results: list[dict[str, str]] = json.loads(done.stdout)
    return results


def test_every_escape_and_every_bomb_is_refused_naming_the_field() -> None:
    results = probe(ESCAPES + BOMBS)
    leaked = [r for r in results if r["stage"] == "ok" and r["message"] not in ("None", "''")]
    assert leaked == [], leaked
    crashed = [r for r in results if r["error"] not in ("", "MappingError", "MappingFileError")]
    assert crashed == [], crashed
    for result in results:
        if result["stage"] == "load":
            assert result["message"].startswith("hostile.yaml:6: fields.phone.in:"), result
        elif result["stage"] == "run":
            assert result["message"].startswith("hostile: field phone"), result
    refused = {r["expression"]: r["message"] for r in results}
    for bomb in BOMBS:
        assert any(word in refused[bomb] for word in ("refused", "unsafe", "not allowed")), (
            bomb,
            refused[bomb],
        )


def test_what_mappings_really_use_still_works() -> None:
    mapping = load_text(
        "connector: jira\nstream: epics\nentity: contract\nfields:\n"
        "  number:\n"
        "    in: \"{% for l in record.labels if l.startswith('contract-') %}{{ l[9:] }}{% endfor %}\"\n"
        "  title: {in: \"{{ (record.name | replace(record.code ~ ' ', '')) | trim | upper }}\"}\n"
        "  amount: {in: \"{{ (record.lines | map(attribute='v') | sum) * 2 }}\"}\n"
        '  tax_rate: {in: "{{ record.rate | percent }}"}\n'
        "  payment_terms: {in: \"{{ ['a', 'b'] | join(', ') ~ ' ' ~ ('-' * 3) ~ (7 % 4) }}\"}\n",
        "fine.yaml",
    )
    values = mapping.apply_in(
        {
            "labels": ["x", "contract-HT-1"],
            "name": "HT-1 合同 😀",
            "code": "HT-1",
            "lines": [{"v": 2}, {"v": 3}],
            "rate": "13",
        }
    ).values
    assert values["number"] == "HT-1"
    assert values["title"] == "合同 😀"
    assert values["amount"] == 10
    assert str(values["tax_rate"]) == "0.13"
    assert values["payment_terms"] == "a, b ---3"


@pytest.mark.parametrize("expression", ["{{ record.x ** record.n }}", "{{ record.s * record.n }}"])
def test_a_bound_hit_by_data_is_a_mapping_error_for_that_record_only(expression: str) -> None:
    mapping = load_text(
        "connector: x\nstream: s\nentity: customer\nfields:\n"
        f"  name: {{path: N}}\n  phone: {{in: {json.dumps(expression)}}}\n",
        "data.yaml",
    )
    with pytest.raises(MappingError, match=r"^data: field phone .*refused"):
        mapping.apply_in({"N": "a", "x": 3, "s": "ab", "n": 10**9})
    assert mapping.apply_in({"N": "a", "x": 3, "s": "ab", "n": 2}).values["phone"] in (9, "abab")


def test_a_sandbox_refusal_at_load_is_a_file_error() -> None:
    with pytest.raises(MappingFileError, match=r"m.yaml:6: fields.phone.in: a loop inside a loop"):
        load_text(
            "connector: x\nstream: s\nentity: customer\nfields:\n  name: {path: N}\n"
            "  phone: {in: '{% for a in record.l %}{% for b in a %}{% endfor %}{% endfor %}'}\n",
            "m.yaml",
        )
