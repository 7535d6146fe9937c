"""The daily risk digest: an HTML report under ``<data_dir>/reports``, mailed when SMTP is set.

``write_digest(settings, engine)`` is the plain function the scheduler runs once a
day. It reconciles first (so the mismatches are today's), gathers the risk
alerts and the ageing totals, writes ``finance-digest-YYYY-MM-DD.html`` (the
business date; a second run the same day replaces the file) and, when
``finance.smtp.host`` and ``finance.digest.recipients`` are set, sends it. A
delivery failure is raised after the file is written, so the job shows as failed
while the report is still there to read.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from hub.finance.ageing import BUCKET_LABELS, BUCKETS, AgeingReport, ageing_by_customer
from hub.finance.alerts import RiskAlerts, risk_alerts
from hub.finance.fields import field_rules
from hub.finance.mailer import build_message, send
from hub.finance.reconcile_runs import run_reconciliation
from hub.finance.sql import Sql, business_today
from hub.settings import Settings

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).with_name("templates")


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)
_env.filters["money"] = _money


def render_digest(settings: Settings, alerts: RiskAlerts, ageing: AgeingReport) -> str:
    """The digest as an HTML document."""
    now = datetime.now(UTC).astimezone(settings.zone)
    return _env.get_template("digest.html").render(
        subject=settings.finance.digest.subject,
        alerts=alerts,
        ageing=ageing,
        buckets=[(key, BUCKET_LABELS[key]) for key in BUCKETS],
        zone=settings.timezone,
        generated=now.strftime("%Y-%m-%d %H:%M"),
    )


def digest_text(settings: Settings, alerts: RiskAlerts, ageing: AgeingReport) -> str:
    """The plain-text part of the mail: the headline numbers."""
    recon = alerts.reconciliation.mismatches if alerts.reconciliation else 0
    return "\n".join(
        [
            f"{settings.finance.digest.subject} - {alerts.today.isoformat()}",
            "",
            f"Overdue invoices: {alerts.overdue_count} ({_money(alerts.overdue_total)})",
            f"Slipped milestones: {alerts.slipped_count} ({_money(alerts.slipped_total)})",
            f"Reconciliation mismatches: {recon}",
            f"Open receivables: {ageing.invoices} ({_money(ageing.total)})",
            "",
            "The HTML version of this mail holds the full lists.",
        ]
    )


def write_digest(settings: Settings, engine: Engine, *, today: date | None = None) -> Path:
    """Reconcile, write today's digest, mail it when configured; return the file's path.

    ``today`` (the business date) defaults to the current date in the business zone.
    """
    run_reconciliation(engine, settings.zone, rules=field_rules(settings), trigger="digest")
    today = today or business_today(settings.zone)
    rows = settings.finance.digest.max_rows
    with engine.connect() as conn:
        sql = Sql.of(conn, settings.zone)
        alerts = risk_alerts(conn, sql, today, settings.finance, limit=rows)
        ageing = ageing_by_customer(conn, today, limit=1)
    html = render_digest(settings, alerts, ageing)
    folder = Path(settings.data_dir) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"finance-digest-{today.isoformat()}.html"
    path.write_text(html, encoding="utf-8")
    log.info("finance digest written to %s (%d alerts)", path, alerts.count)
    smtp, digest = settings.finance.smtp, settings.finance.digest
    if smtp.host and digest.recipients:
        subject = f"{digest.subject} {today.isoformat()} ({alerts.count} alerts)"
        message = build_message(
            smtp, digest.recipients, subject, digest_text(settings, alerts, ageing), html
        )
        send(smtp, message)
        log.info("finance digest sent to %d recipients", len(digest.recipients))
    return path
