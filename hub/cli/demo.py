"""``synchub demo``: the whole product on this machine, seeded, synced, explained."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.table import Table

from hub.cli.context import console
from hub.cli.progress import RichObserver, requests_table, summary_table
from hub.demo.run import CRM, ERP, initial_sync, start, store_summary


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
) -> None:
    """Start the Zoho CRM and Kingdee sandboxes with a seeded business, sync both ways, then serve the hub."""
    console.print("[bold]SyncHub demo[/]: a blockchain technology company's CRM and finance system")
    demo = start(folder, seed=seed, companies=companies)
    for name, server in demo.servers.items():
        title = "Zoho CRM" if name == CRM else "Kingdee K/3 Cloud"
        console.print(f"  {title} sandbox ({name}) at {server.url}")
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


def _explain(summary: dict[str, object], matched: int) -> None:
    records = summary["records"]
    linked = summary["linked"]
    assert isinstance(records, dict)
    assert isinstance(linked, dict)
    table = Table("what", "count", title="What the first sync found")
    table.add_row("canonical records", ", ".join(f"{k} {v}" for k, v in records.items()))
    for system in (CRM, ERP):
        table.add_row(
            f"linked in {system}", ", ".join(f"{k} {v}" for k, v in linked.get(system, {}).items())
        )
    table.add_row("matched across systems (by tax id or name)", str(matched))
    table.add_row("held for a person (synchub conflicts list)", str(summary["conflicts"]))
    table.add_row("dead-lettered (synchub dlq list)", str(summary["dead_letters"]))
    console.print(table)
