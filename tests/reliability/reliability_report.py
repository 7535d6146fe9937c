"""Results of the reliability suites, as JSON under test-artifacts/, and the tables of
docs/reliability.md rendered from them.

Each passing fault or crash test writes one JSON file stamped with this
session's id. When the session ends without a failure and every expected
result carries that id (the whole matrix ran here, not a subset), the tables
between the ``<!-- ...:start -->`` / ``<!-- ...:end -->`` markers of the doc are
replaced; everything else in the doc is prose kept by hand. Only facts that do
not change from run to run go into the tables, so an unchanged hub renders an
unchanged doc (``git diff`` shows when an outcome moved).

``python tests/reliability/reliability_report.py`` renders from the last
complete session's files without running anything.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-artifacts" / "reliability"
DOC = ROOT / "docs" / "reliability.md"
SESSION = uuid.uuid4().hex


def write_result(kind: str, name: str, data: dict[str, Any]) -> None:
    """Store one test's result for this session."""
    folder = RESULTS / kind
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(
        json.dumps({**data, "session": SESSION}, ensure_ascii=False, indent=2, sort_keys=True),
        encoding="utf-8",
    )


def load(kind: str) -> dict[str, dict[str, Any]]:
    """Every stored result of ``kind``, by name."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((RESULTS / kind).glob("*.json"))
    }


def expected() -> dict[str, set[str]]:
    """The result names a complete session produces."""
    from reliability_crash import CRASH_SUITE
    from reliability_faults import FAULTS
    from reliability_scenarios import SCENARIOS

    return {
        "faults": {f"{s}--{f}" for s in SCENARIOS for f in FAULTS},
        "crash": set(CRASH_SUITE),
    }


def render_if_complete(session: str | None = SESSION) -> bool:
    """Rewrite the doc's tables if every expected result is there (from ``session``)."""
    results = {kind: load(kind) for kind in ("faults", "crash")}
    for kind, names in expected().items():
        have = results[kind]
        if not names <= set(have):
            return False
        if session is not None and any(have[n].get("session") != session for n in names):
            return False
    text = DOC.read_text(encoding="utf-8")
    text = _replace(text, "fault-table", fault_table(results["faults"]))
    text = _replace(text, "crash-table", crash_table(results["crash"]))
    DOC.write_text(text, encoding="utf-8")
    return True


def _replace(text: str, marker: str, table: str) -> str:
    pattern = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", flags=re.DOTALL)
    if not pattern.search(text):
        raise AssertionError(f"{DOC} has no {marker} markers")
    return pattern.sub(lambda m: m.group(1) + table + m.group(2), text)


def fault_table(results: dict[str, dict[str, Any]]) -> str:
    """Faults down, connectors across; each cell: outcome, faults injected, runs to quiet."""
    from reliability_faults import FAULTS
    from reliability_scenarios import SCENARIOS

    lines = [
        "| fault | " + " | ".join(SCENARIOS) + " |",
        "|---|" + "---|" * len(SCENARIOS),
    ]
    for fault in FAULTS.values():
        cells = []
        for scenario in SCENARIOS:
            result = results[f"{scenario}--{fault.name}"]
            cells.append(_fault_cell(result))
        lines.append(f"| {fault.title} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _fault_cell(result: dict[str, Any]) -> str:
    verdict = "equal" if result["equal"] else "**DIFFERS**"
    hits = Counter(result["hit_kinds"])
    where = ", ".join(f"{n} {kind}" for kind, n in sorted(hits.items()))
    extra = []
    if result.get("failed_runs"):
        extra.append(f"{result['failed_runs']} run failed, resumed")
    if result.get("letters_retried"):
        extra.append(f"{result['letters_retried']} dead-lettered, retried")
    return "; ".join([f"{verdict} ({where})", *extra])


def crash_table(results: dict[str, dict[str, Any]]) -> str:
    """One row per crash test: pipeline, store, kills per stage, restarts, outcome."""
    from reliability_crash import CRASH_SUITE

    lines = [
        "| pipeline | store | runner | kills (read / map / write / checkpoint) | outcome |",
        "|---|---|---|---|---|",
    ]
    for name in CRASH_SUITE:
        r = results[name]
        kills = r["kills"]
        per_stage = " / ".join(str(kills.get(s, 0)) for s in ("read", "map", "write", "checkpoint"))
        verdict = "equal to the fault-free run" if r["equal"] else "**DIFFERS**"
        lines.append(
            f"| {r['pipeline']} | {r['store']} | {r['runner']} | {sum(kills.values())} "
            f"({per_stage}) | {verdict}, no duplicate, nothing lost |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    if not render_if_complete(session=None):
        raise SystemExit(f"incomplete results under {RESULTS}: run the reliability suites first")
    print(f"rendered {DOC}")
