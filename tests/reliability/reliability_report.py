"""Results of the reliability suites, as JSON under test-artifacts/, and the tables of
docs/reliability.md rendered from them.

Each fault or crash test writes one JSON file into this session's folder
(``test-artifacts/reliability/<session>/``: engineers sharing a working tree run
the suite at the same time). When the session ends and its folder holds every
expected result (the whole matrix ran here, not a subset), the tables between
the ``<!-- ...:start -->`` / ``<!-- ...:end -->`` markers of the doc are
replaced; everything else in the doc is prose kept by hand. Only facts that do
not change from run to run go into the tables, so an unchanged hub renders an
unchanged doc (``git diff`` shows when an outcome moved).

``python tests/reliability/reliability_report.py`` renders from the newest
complete session folder without running anything.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-artifacts" / "reliability"
DOC = ROOT / "docs" / "reliability.md"
SESSION = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def write_result(kind: str, name: str, data: dict[str, Any]) -> None:
    """Store one test's result in this session's folder."""
    folder = RESULTS / SESSION / kind
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
    )


def load(session: str, kind: str) -> dict[str, dict[str, Any]]:
    """Every result of ``kind`` a session stored, by name."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((RESULTS / session / kind).glob("*.json"))
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


def render_if_complete(session: str = SESSION) -> bool:
    """Rewrite the doc's tables if ``session`` stored every expected result.

    Failed tests store their results too: the tables show what the hub does, a
    fault it does not survive included, and ``make test`` fails as well."""
    results = {kind: load(session, kind) for kind in ("faults", "crash")}
    if any(not names <= set(results[kind]) for kind, names in expected().items()):
        return False
    text = DOC.read_text(encoding="utf-8")
    text = _replace(text, "fault-table", fault_table(results["faults"]))
    text = _replace(text, "crash-table", crash_table(results["crash"]))
    DOC.write_text(text, encoding="utf-8")
    return True


def newest_complete() -> str | None:
    """The newest session folder holding every expected result."""
    folders = sorted(
        (p for p in RESULTS.glob("*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for folder in folders:
        have = {kind: {p.stem for p in (folder / kind).glob("*.json")} for kind in expected()}
        if all(names <= have[kind] for kind, names in expected().items()):
            return folder.name
    return None


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
            note = SCENARIOS[scenario].notes.get(fault.name)
            cells.append(_fault_cell(result) + (f"; {note}" if note else ""))
        lines.append(f"| {fault.title} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _fault_cell(result: dict[str, Any]) -> str:
    if result["duplicates"]:
        verdict = f"**{result['duplicates']} duplicate(s)**"
    elif result["lost"]:
        verdict = f"**{result['lost']} lost**"
    elif not result["passed"]:
        verdict = "**DIFFERS**"
    else:
        verdict = "equal"
    hits = Counter(result["hit_kinds"])
    where = ", ".join(f"{n} {kind}" for kind, n in sorted(hits.items()))
    extra = []
    if result.get("failed_runs"):
        runs = "run" if result["failed_runs"] == 1 else "runs"
        extra.append(f"{result['failed_runs']} {runs} failed, resumed")
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
        verdict = (
            "equal to the fault-free run: no duplicate, nothing lost"
            if r["equal"]
            else "**DIFFERS** (see test-artifacts/reliability/crash/)"
        )
        lines.append(
            f"| {r['pipeline']} | {r['store']} | {r['runner']} | {sum(kills.values())} "
            f"({per_stage}) | {verdict} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    complete = newest_complete()
    if complete is None or not render_if_complete(complete):
        raise SystemExit(f"no complete results under {RESULTS}: run the reliability suites first")
    print(f"rendered {DOC} from {RESULTS / complete}")
