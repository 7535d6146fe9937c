"""The results file, the targets table and the generated part of docs/benchmarks.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import svg

START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"


def _m(fig: dict[str, Any] | None) -> float | None:
    return None if not fig else fig.get("median")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 13 with the measured median and whether it is met."""
    s = results["scenarios"]
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, goal: str, met: bool | None) -> None:
        rows.append({"target": name, "value": value, "goal": goal, "met": met})

    if "full_pull" in s:
        full = s["full_pull"]["full"]
        dlt, raw = _m(full["ratio_hub_to_dlt"]), _m(full["ratio_hub_to_raw"])
        add("Full pull: hub records/s / dlt records/s", dlt, ">= 2.0", dlt is not None and dlt >= 2)
        add(
            "Full pull: hub records/s / raw ceiling",
            raw,
            ">= 0.35",
            raw is not None and raw >= 0.35,
        )
        inc = s["full_pull"]["incremental"]
        calls, wall = _m(inc["unchanged"]["list_requests"]), _m(inc["unchanged"]["wall_s"])
        add("Incremental, no change: list requests per stream", calls, "== 1", calls == 1)
        add("Incremental, no change: wall seconds", wall, "< 1.0", wall is not None and wall < 1)
        frac = _m(inc["changed"]["fraction_of_full"])
        add("Incremental, 1 % changed: share of the full sync's time", frac, "< 0.05",
            frac is not None and frac < 0.05)  # fmt: skip
    if "latency" in s:
        lat = _m(s["latency"]["ratio_hub_to_raw_same"])
        add("Latency-bound: hub wall / async raw loop, same requests in flight", lat, "<= 1.5",
            lat is not None and lat <= 1.5)  # fmt: skip
    if "push" in s:
        for label in ("kingdee", "zoho"):
            item = s["push"].get(label)
            if not item:
                continue
            limit = 1 / item["batch_size"] + 0.01
            value = _m(item["requests_per_record"])
            add(f"Push to {label}: requests per record (batch {item['batch_size']})", value,
                f"<= {limit:.4f}", value is not None and value <= limit)  # fmt: skip
    if "memory" in s:
        mem = s["memory"]
        small, large = (str(n) for n in mem["sizes"])
        rss = _m(mem[small]["peak_rss_mb"])
        add(f"Peak RSS at {int(small):,} records (MB)", rss, "< 200", rss is not None and rss < 200)
        add(f"Peak RSS growth {int(small):,} -> {int(large):,}", mem["growth"], "< 0.25",
            mem["growth"] < 0.25)  # fmt: skip
    if "quota" in s:
        q = s["quota"]
        frac, share = _m(q["fraction_of_limit"]), _m(q["share_429"])
        add(
            "Quota: achieved rate / allowed rate", frac, ">= 0.90", frac is not None and frac >= 0.9
        )
        add("Quota: share of requests answered 429", share, "<= 0.01",
            share is not None and share <= 0.01)  # fmt: skip
    if "finance_pages" in s:
        p95 = _m(s["finance_pages"].get("p95_ms"))
        add("Finance pages: p95 latency (ms)", p95, "< 300", p95 is not None and p95 < 300)
    return rows


def write_results(
    results: dict[str, Any], folder: Path, *, merge: bool = False, suffix: str = ""
) -> Path:
    """Write the day's results file; with ``merge``, scenarios not run now are kept from it."""
    folder.mkdir(parents=True, exist_ok=True)
    day = results["environment"]["measured_at"][:10]
    path = folder / f"{day}{suffix}.json"
    if merge and path.exists():
        earlier = json.loads(path.read_text())
        for name, outcome in earlier.get("scenarios", {}).items():
            if name not in results["scenarios"] and name not in results["errors"]:
                results["scenarios"][name] = outcome
                results["measured"][name] = earlier.get("measured", {}).get(name)
        results["targets"] = targets(results)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def write_docs(results: dict[str, Any], doc: Path, results_file: Path) -> None:
    """Replace the generated section of ``doc`` (between the markers) and write the plots."""
    plots = doc.parent / "benchmarks"
    plots.mkdir(parents=True, exist_ok=True)
    body = render(results, results_file, plots, doc.parent)
    text = doc.read_text(encoding="utf-8") if doc.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    doc.write_text(f"{head}{START}\n{body}\n{END}{tail}", encoding="utf-8")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _cell(fig: dict[str, Any] | None) -> str:
    if not fig or fig.get("median") is None:
        return "-"
    return f"{_fmt(fig['median'])} ({_fmt(fig['min'])}-{_fmt(fig['max'])})"


def render(results: dict[str, Any], results_file: Path, plots: Path, docs: Path) -> str:
    env, s = results["environment"], results["scenarios"]
    lines = [
        f"Measured {env['measured_at']} on {env['machine']['cpu']} "
        f"({env['machine']['cores']} cores, {env['machine']['memory_gb']} GB), "
        f"{env['python']}, SQLite {env['sqlite']}, commit {env['commit']}; "
        f"load average at start {env['machine']['load_average_at_start']}, "
        f"at end {env['machine'].get('load_average_at_end', '-')} (the machine is shared; "
        "a load above 2 means other work competed for the 2 cores). "
        f"Raw figures: `{results_file.relative_to(docs.parent)}`. "
        f"Each cell: median (min-max) of {results['sizes']['runs']} runs.",
        "",
        "Packages: " + ", ".join(f"{k} {v}" for k, v in env["packages"].items() if v) + ".",
        "",
        "### Targets",
        "",
        "| Target | Measured (median) | Goal | Met |",
        "| --- | --- | --- | --- |",
    ]
    for row in results["targets"]:
        met = "yes" if row["met"] else "**no**"
        lines.append(f"| {row['target']} | {_fmt(row['value'])} | {row['goal']} | {met} |")
    if "full_pull" in s:
        lines += _full(s["full_pull"], results["sizes"], plots, docs)
    if "latency" in s:
        lines += _latency(s["latency"], plots, docs)
    if "push" in s:
        lines += _push(s["push"])
    if "memory" in s:
        lines += _memory(s["memory"], plots, docs)
    if "quota" in s:
        lines += _quota(s["quota"])
    if "finance_pages" in s:
        lines += _finance(s["finance_pages"])
    lines += ["", "### When each scenario was measured", "",
              "| Scenario | finished | commit | sizes |", "| --- | --- | --- | --- |"]  # fmt: skip
    for name, when in (results.get("measured") or {}).items():
        if when:
            sizes = ", ".join(f"{k}={v}" for k, v in when["sizes"].items())
            lines.append(f"| {name} | {when['finished_at']} | {when['commit']} | {sizes} |")
    for name, error in results.get("errors", {}).items():
        lines += ["", f"**{name} did not run to the end:** `{error.splitlines()[-1][:300]}`"]
    return "\n".join(lines)


def _plot(plots: Path, docs: Path, name: str, text: str) -> str:
    (plots / f"{name}.svg").write_text(text, encoding="utf-8")
    return f"![{name}]({(plots / f'{name}.svg').relative_to(docs)})"


def _full(data: dict[str, Any], sizes: dict[str, Any], plots: Path, docs: Path) -> list[str]:
    full, inc = data["full"], data["incremental"]
    lines = [
        "",
        f"### 1-2. Full pull of {sizes['records']:,} Zoho CRM Accounts, hub vs dlt vs raw",
        "",
        "| Client | records/s | CPU s per 1,000 | HTTP requests | peak RSS MB | sandbox CPU s |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    names = {"hub": "SyncHub (`run_pipeline`)", "dlt": "dlt REST API source -> SQLite",
             "raw": "raw httpx loop -> SQLite"}  # fmt: skip
    for key, label in names.items():
        f = full[key]
        lines.append(
            f"| {label} | {_cell(f['records_per_s'])} | {_cell(f['cpu_s_per_1k'])} | "
            f"{_cell(f['http_requests'])} | {_cell(f['peak_rss_mb'])} | {_cell(f['server_cpu_s'])} |"
        )
    lines += [
        "",
        f"Hub / dlt: {_cell(full['ratio_hub_to_dlt'])}; hub / raw: {_cell(full['ratio_hub_to_raw'])} "
        "(ratios of runs made in the same round).",
        "",
        _plot(plots, docs, "full_pull", svg.bars(
            f"Full pull, {sizes['records']:,} accounts", "records per second",
            [(names[k], full[k]["records_per_s"]) for k in names])),
        "",
        "### 4. Incremental after the full sync",
        "",
        "| Case | wall s | list requests | all requests | records read or updated |",
        "| --- | --- | --- | --- | --- |",
        f"| no remote change | {_cell(inc['unchanged']['wall_s'])} | "
        f"{_cell(inc['unchanged']['list_requests'])} | {_cell(inc['unchanged']['http_requests'])} | "
        f"{_cell(inc['unchanged']['records_read'])} read |",
        f"| {inc['changed']['records_changed']:,} changed (1 %) | {_cell(inc['changed']['wall_s'])} | "
        f"{_cell(inc['changed']['list_requests'])} | - | {_cell(inc['changed']['updated'])} updated |",
        "",
        f"1 % changed, as a share of the full sync's wall time: "
        f"{_cell(inc['changed']['fraction_of_full'])}.",
    ]  # fmt: skip
    return lines


def _latency(data: dict[str, Any], plots: Path, docs: Path) -> list[str]:
    w, n = data["wall_s"], data["wide_concurrency"]
    rows = [("SyncHub", w["hub"]), ("raw async, 1 in flight", w["raw_same"]),
            (f"raw async, {n} in flight", w["raw_wide"])]  # fmt: skip
    return [
        "",
        f"### 3. Latency-bound pull: {data['records']:,} records, {data['latency_ms']:.0f} ms per request",
        "",
        "| Client | wall s | CPU s | list requests |",
        "| --- | --- | --- | --- |",
        *(f"| {label} | {_cell(fig)} | {_cell(data['cpu_s'][key])} | "
          f"{_cell(data['list_requests'][key])} |"
          for (label, fig), key in zip(rows, ("hub", "raw_same", "raw_wide"), strict=True)),
        "",
        f"Hub / raw with the same requests in flight: {_cell(data['ratio_hub_to_raw_same'])}; "
        f"hub / raw with {n} in flight (page numbers fetched in parallel, which a keyset read "
        f"cannot do safely): {_cell(data['ratio_hub_to_raw_wide'])}.",
        "",
        _plot(plots, docs, "latency", svg.bars("Latency-bound pull", "wall seconds", rows)),
    ]  # fmt: skip


def _push(data: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"### 5. Push of {data['records']:,} canonical customers",
        "",
        "| Target | batch | requests | requests per record | records/s | CPU s per 1,000 | sandbox CPU s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label in ("kingdee", "zoho"):
        f = data.get(label)
        if f:
            lines.append(
                f"| {label} | {f['batch_size']} | {_cell(f['requests'])} | "
                f"{_cell(f['requests_per_record'])} | {_cell(f['records_per_s'])} | "
                f"{_cell(f['cpu_s_per_1k'])} | {_cell(f['server_cpu_s'])} |"
            )
    return lines


def _memory(data: dict[str, Any], plots: Path, docs: Path) -> list[str]:
    small, large = (str(n) for n in data["sizes"])
    rows = [(f"{int(k):,} records", data[k]["peak_rss_mb"]) for k in (small, large)]
    return [
        "",
        "### 6. Memory scaling (full pull, peak RSS of the hub process)",
        "",
        "| Records | peak RSS MB | records/s | CPU s per 1,000 |",
        "| --- | --- | --- | --- |",
        *(f"| {int(k):,} | {_cell(data[k]['peak_rss_mb'])} | {_cell(data[k]['records_per_s'])} | "
          f"{_cell(data[k]['cpu_s_per_1k'])} |" for k in (small, large)),
        "",
        f"Growth of the median peak RSS: {data['growth'] * 100:.1f} %.",
        "",
        _plot(plots, docs, "memory", svg.bars("Peak RSS of a full pull", "MB", rows)),
    ]  # fmt: skip


def _finance(data: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"### 8. Finance pages ({data.get('customers', '?'):,} customers, "
        f"{data.get('invoices', '?'):,} invoices, {data.get('store', '?')})",
        "",
        f"Worst page's p95 per run: {_cell(data.get('p95_ms'))} ms.",
        "",
        "| Page | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- |",
    ]
    pages = data.get("pages") or {}
    for page, f in sorted(pages.items(), key=lambda kv: -kv[1].get("p95_ms", 0)):
        lines.append(
            f"| `{page}` | {_fmt(f.get('p50_ms'))} | {_fmt(f.get('p95_ms'))} | {_fmt(f.get('max_ms'))} |"
        )
    return lines


def _quota(data: dict[str, Any]) -> list[str]:
    return [
        "",
        f"### 7. Quota: sandbox limited to {data['limit_per_s']:g} requests/s "
        f"(burst {data['burst']}), {data['records']:,} records",
        "",
        "| achieved requests/s | share of the limit | requests | answered 429 | share 429 |",
        "| --- | --- | --- | --- | --- |",
        f"| {_cell(data['achieved_per_s'])} | {_cell(data['fraction_of_limit'])} | "
        f"{_cell(data['requests'])} | {_cell(data['answered_429'])} | {_cell(data['share_429'])} |",
    ]
