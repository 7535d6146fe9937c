"""``synchub demo``: the whole product on this machine, seeded, synced, explained."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.table import Table

from hub.cli.context import console
from hub.cli.progress import RichObserver, requests_table, summary_table
from hub.demo.delivery import finish_some
from hub.demo.run import (
    CRM,
    DELIVERY_PIPELINE,
    ERP,
    PM,
    Demo,
    initial_sync,
    start,
    store_summary,
)
from hub.demo.variants import DELIVERY, FINANCE, delivery_tool, finance_system


def demo_cmd(
    folder: Path = typer.Option(
        Path("var/demo"), help="Where the demo's store and settings go (wiped first)."
    ),
    companies: int = typer.Option(300, min=10, help="Customers in the seeded business."),
    seed: int = typer.Option(2026, help="Seed of the generated business."),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Keep serving the web app after the first sync."
    ),
    port: int = typer.Option(8000, help="Port of the web app."),
    finance: str = typer.Option(
        "kingdee", help=f"Finance system of the crm-erp pipeline: {' | '.join(FINANCE)}."
    ),
    delivery: str = typer.Option(
        "jira",
        help=f"Project tool of the crm-delivery pipeline: {' | '.join(DELIVERY)} | none.",
    ),
) -> None:
    """Start the CRM, finance and project-tool sandboxes with a seeded business, sync, then serve the hub."""
    try:
        titles = {CRM: "Zoho CRM", ERP: finance_system(finance).title}
        if delivery != "none":
            titles[PM] = delivery_tool(delivery).title
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    console.print("[bold]SyncHub demo[/]: a blockchain technology company's CRM and finance system")
    demo = start(
        folder,
        seed=seed,
        companies=companies,
        finance=finance,
        delivery=None if delivery == "none" else delivery,
    )
    for name, server in demo.servers.items():
        console.print(f"  {titles[name]} sandbox ({name}) at {server.url}")
    plan = demo.plan
    console.print(
        f"  CRM holds {len(plan.crm.companies)} customers and {len(plan.crm.contracts)} contracts; finance holds "
        f"{len(plan.erp.companies)} customers, {len(plan.erp.contracts)} sales orders, "
        f"{len(plan.erp.invoices)} invoices and {len(plan.erp.payments)} receipts."
    )
    try:
        with RichObserver(console) as observer:
            result = asyncio.run(initial_sync(demo, observer))
        console.print(summary_table(result))
        console.print(requests_table(result))
        if demo.delivery is not None and not result.error:
            _delivery(demo, titles[PM])
        _explain(store_summary(demo.engine), result.total().linked)
        console.print(
            f"settings: {demo.config_file} (use --config {demo.config_file} with other commands)"
        )
        if result.error:
            console.print(f"[red]the sync failed:[/] {result.error}")
            raise typer.Exit(1)
        if serve:
            from hub.web.serve import serve_forever

            console.print(
                "[bold]Serving the hub[/] (the sandboxes stay up while it runs; Ctrl-C stops everything)"
            )
            serve_forever(demo.settings, demo.engine, port=port, users=DEMO_USERS)
    finally:
        demo.stop()


DEMO_USERS = (("admin", "admin"), ("finance", "finance"))


def _delivery(demo: Demo, title: str) -> None:
    """Contracts and milestones to the project tool; the team finishes some; status comes back."""
    console.print(f"[bold]Delivery[/]: CRM contracts and milestones to {title}")
    with RichObserver(console) as observer:
        first = asyncio.run(initial_sync(demo, observer, DELIVERY_PIPELINE))
    console.print(summary_table(first))
    if first.error:
        console.print(f"[red]the delivery sync failed:[/] {first.error}")
        raise typer.Exit(1)
    tool = demo.settings.connectors[PM].type
    news = finish_some(
        demo.engine,
        demo.servers[PM].sandbox,
        tool,
        PM,
        accept=DEMO_ACCEPTED,
        deliver=DEMO_DELIVERED,
    )
    console.print(
        f"  the delivery team accepted {len(news.accepted)} and delivered {len(news.delivered)} "
        f"milestones in {title}; syncing that back to the hub and the CRM"
    )
    with RichObserver(console) as observer:
        back = asyncio.run(initial_sync(demo, observer, DELIVERY_PIPELINE))
    console.print(summary_table(back))
    if back.error:
        console.print(f"[red]the delivery sync failed:[/] {back.error}")
        raise typer.Exit(1)


DEMO_ACCEPTED, DEMO_DELIVERED = 5, 3
"""Milestones the demo's delivery team finishes in the project tool after the first sync."""


def _explain(summary: dict[str, object], matched: int) -> None:
    records = summary["records"]
    linked = summary["linked"]
    assert isinstance(records, dict)
    assert isinstance(linked, dict)
    table = Table("what", "count", title="What the first sync found")
    table.add_row("canonical records", ", ".join(f"{k} {v}" for k, v in records.items()))
    for system in (CRM, ERP, PM):
        if system not in linked:
            continue
        table.add_row(
            f"linked in {system}", ", ".join(f"{k} {v}" for k, v in linked.get(system, {}).items())
        )
    table.add_row("matched across systems (by tax id or name)", str(matched))
    table.add_row("held for a person (synchub conflicts list)", str(summary["conflicts"]))
    table.add_row("dead-lettered (synchub dlq list)", str(summary["dead_letters"]))
    console.print(table)
