"""``synchub reconcile``: compare every pair of linked systems; exit 1 when they disagree.

The exit status makes it a monitoring check: 0 means every linked pair holds the
same records with the same amounts, statuses and tax arithmetic; 1 means at least
one mismatch was found (listed, and stored for the finance pages).
"""

from __future__ import annotations

import typer
from rich.table import Table

from hub.cli.context import console, get
from hub.finance.fields import field_rules
from hub.finance.reconcile import Reconciliation, reconcile
from hub.finance.reconcile_runs import run_reconciliation
from hub.finance.sql import Sql
from hub.store import upgrade


def reconcile_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(50, min=0, help="Mismatches to list (all are counted and stored)."),
    store: bool = typer.Option(
        True, "--store/--no-store", help="Keep the result for the finance pages and the digest."
    ),
) -> None:
    """Reconcile linked systems: counts, totals and mismatches; exit 1 on any mismatch."""
    state = get(ctx)
    settings, engine = state.settings, state.engine
    upgrade(engine)
    rules = field_rules(settings)
    if store:
        result = run_reconciliation(engine, settings.zone, rules=rules, trigger="cli")
    else:
        with engine.connect() as conn:
            result = reconcile(conn, Sql.of(conn, settings.zone), rules)
    print_reconciliation(result, limit)
    raise typer.Exit(0 if result.ok else 1)


def print_reconciliation(result: Reconciliation, limit: int) -> None:
    """The totals table, then the mismatches (first ``limit``), then a one-line verdict."""
    totals = Table(
        "entity",
        "system A",
        "system B",
        "count A",
        "count B",
        "total A",
        "total B",
        "",
        title="Reconciliation: counts and totals per entity",
    )
    for t in result.totals:
        totals.add_row(
            t.entity if t.field is None else f"{t.entity} ({t.field})",
            t.system_a,
            t.system_b,
            str(t.count_a),
            str(t.count_b),
            "" if t.total_a is None else f"{t.total_a:,}",
            "" if t.total_b is None else f"{t.total_b:,}",
            "subset" if t.subset else ("ok" if t.matches else "[red]differs[/]"),
        )
    console.print(totals)
    if not result.totals:
        console.print("No entity is linked in two systems yet: nothing to compare.")
    if result.mismatches and limit:
        table = Table(
            "kind",
            "entity",
            "record",
            "systems",
            "value A",
            "value B",
            "last runs",
            "detail",
            title=f"Mismatches ({len(result.mismatches)})",
        )
        for m in result.mismatches[:limit]:
            runs = " / ".join(r[:8] for r in (m.last_run_a, m.last_run_b) if r)
            table.add_row(
                m.kind,
                m.entity,
                m.label or m.hub_id,
                f"{m.system_a} / {m.system_b}",
                m.value_a or "",
                m.value_b or "",
                runs,
                m.detail or "",
            )
        console.print(table)
        if len(result.mismatches) > limit:
            console.print(f"... and {len(result.mismatches) - limit} more.")
    differing = len(result.customers)
    if result.ok:
        console.print("[green]No mismatches.[/]")
    else:
        kinds = ", ".join(f"{result.count(k)} {k}" for k in ("missing", "amount", "status", "tax"))
        console.print(
            f"[red]{len(result.mismatches)} mismatches[/] ({kinds}); "
            f"{differing} customer/entity totals differ."
        )
