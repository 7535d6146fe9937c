"""``make bench``: run every scenario of issue 13 and write the results and docs/benchmarks.md.

python -m bench.run                      # the issue's sizes (about 15-20 min on 2 cores)
python -m bench.run --quick              # small sizes, a smoke run of every scenario
python -m bench.run --only full_pull,quota --records 50000 --runs 5
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import sys
import time
import traceback
from typing import Any

from bench import environment, report, scenarios
from bench.measure import ROOT

ORDER = ("full_pull", "latency", "push", "memory", "quota", "finance_pages")
QUICK = scenarios.Sizes(
    runs=3, records=5_000, memory_records=20_000, latency_records=2_000, push_records=1_000,
    quota_records=3_000,
)  # fmt: skip


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes for a smoke run (written to <date>-quick.json, docs untouched)",
    )
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(ORDER)}")
    parser.add_argument("--no-docs", action="store_true", help="write the JSON only")
    for field in dataclasses.fields(scenarios.Sizes):
        parser.add_argument(f"--{field.name.replace('_', '-')}", type=type(field.default))
    return parser.parse_args(argv)


def sizes_from(args: argparse.Namespace) -> scenarios.Sizes:
    base = QUICK if args.quick else scenarios.Sizes()
    given = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(scenarios.Sizes)
        if getattr(args, f.name) is not None
    }
    return dataclasses.replace(base, **given)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def finance_pages(sizes: scenarios.Sizes) -> dict[str, Any] | None:
    """The finance engineer's scenario, when ``bench/finance_pages.py`` exists.

    The hook: that module defines ``scenario(runs: int, log) -> dict`` whose
    result carries ``"p95_ms"`` as a figure (median/min/max over the runs) and
    whatever per-page detail it wants to show.
    """
    if importlib.util.find_spec("bench.finance_pages") is None:
        return None
    from bench import finance_pages as module  # type: ignore[attr-defined]

    result: dict[str, Any] = module.scenario(runs=sizes.runs, log=log)
    return result


def main(argv: list[str]) -> int:
    args = parse(argv)
    sizes = sizes_from(args)
    chosen = [s for s in (args.only.split(",") if args.only else ORDER) if s]
    unknown = set(chosen) - set(ORDER)
    if unknown:
        print(f"unknown scenario(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {
        "environment": environment.describe(ROOT),
        "sizes": dataclasses.asdict(sizes),
        "scenarios": {},
        "measured": {},
        "errors": {},
    }
    started = time.perf_counter()
    for name in (n for n in ORDER if n in chosen):
        log(f"scenario {name}")
        try:
            outcome = _run(name, sizes, results["scenarios"])
        except Exception:
            results["errors"][name] = traceback.format_exc()
            log(f"scenario {name} failed:\n{results['errors'][name]}")
            continue
        if outcome is None:
            log(f"scenario {name}: not available (bench/finance_pages.py does not exist yet)")
            continue
        results["scenarios"][name] = outcome
        results["measured"][name] = {
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "sizes": dataclasses.asdict(sizes),
            "commit": results["environment"]["commit"],
        }
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["environment"]["machine"]["load_average_at_end"] = [
        round(x, 2) for x in os.getloadavg()
    ]
    results["targets"] = report.targets(results)
    path = report.write_results(
        results,
        ROOT / "bench" / "results",
        merge=bool(args.only),
        suffix="-quick" if args.quick else "",
    )
    if not (args.no_docs or args.quick):  # a smoke run never replaces the published figures
        report.write_docs(results, ROOT / "docs" / "benchmarks.md", path)
    log(f"done in {results['seconds'] / 60:.1f} min; results in {path.relative_to(ROOT)}")
    for row in results["targets"]:
        mark = "met " if row["met"] else "MISS"
        log(f"  {mark} {row['target']}: {report._fmt(row['value'])} (goal {row['goal']})")
    return 1 if results["errors"] else 0


def _run(name: str, sizes: scenarios.Sizes, done: dict[str, Any]) -> dict[str, Any] | None:
    if name == "full_pull":
        return scenarios.full_pull(sizes, log)
    if name == "latency":
        return scenarios.latency_pull(sizes, log)
    if name == "push":
        return scenarios.push(sizes, log)
    if name == "memory":
        small = done.get("full_pull", {}).get("full", {}).get("hub")
        return scenarios.memory(sizes, log, small)
    if name == "quota":
        return scenarios.quota(sizes, log)
    return finance_pages(sizes)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
