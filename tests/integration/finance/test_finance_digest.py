"""Risk alerts and the daily digest: the file under var/reports and the mail through SMTP."""

from __future__ import annotations

from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path

import finance_dataset as ds
import pytest
from finance_dataset import SHANGHAI, sql_for
from smtp_sink import smtp_sink
from sqlalchemy import Engine

from hub.finance.alerts import risk_alerts
from hub.finance.digest import write_digest
from hub.finance.mailer import DeliveryError
from hub.finance.reconcile_runs import run_reconciliation
from hub.finance.settings import FinanceSettings
from hub.settings import Settings


def _settings(tmp_path: Path, engine: Engine, **finance: object) -> Settings:
    return Settings(database_url=str(engine.url), data_dir=tmp_path / "var", finance=finance or {})


def test_risk_alerts(finance_engine: Engine) -> None:
    run_reconciliation(finance_engine, SHANGHAI)
    with finance_engine.connect() as conn:
        alerts = risk_alerts(conn, sql_for(finance_engine), ds.TODAY, FinanceSettings())
        strict = risk_alerts(
            conn,
            sql_for(finance_engine),
            ds.TODAY,
            FinanceSettings(overdue_alert_days=30, milestone_slip_days=30),
        )
    assert alerts.overdue_count == 5
    assert alerts.overdue_total == ds.FORECAST_OVERDUE
    assert next(i.number for i in alerts.overdue) == "FP2025000001"  # oldest due first
    assert alerts.slipped_count == 1
    assert alerts.slipped[0].id == "M3"
    assert alerts.slipped[0].days_late == 16
    assert alerts.slipped[0].value == Decimal("30000.00")
    assert alerts.reconciliation is not None
    assert alerts.reconciliation.mismatches == 6
    assert len(alerts.mismatches) == 6
    assert alerts.count == 12
    # more than 30 days late: I1 (94), I9 (61), I10 (35); no milestone is 30 days late
    assert strict.overdue_count == 3
    assert strict.overdue_total == Decimal("44060.00")
    assert strict.slipped_count == 0


def test_digest_is_written_without_smtp(finance_sqlite: Engine, tmp_path: Path) -> None:
    settings = _settings(tmp_path, finance_sqlite)
    path = write_digest(settings, finance_sqlite, today=ds.TODAY)
    assert path == tmp_path / "var" / "reports" / "finance-digest-2026-03-16.html"
    html = path.read_text(encoding="utf-8")
    assert "86,659.45" in html  # overdue total
    assert "FP2025000009" in html
    assert "上线验收" in html
    assert "97,259.45" in html  # open receivables tie to the ageing total
    assert "should be 60.00" in html  # tax mismatch detail
    again = write_digest(settings, finance_sqlite, today=ds.TODAY)
    assert again == path


def test_digest_is_mailed(finance_sqlite: Engine, tmp_path: Path) -> None:
    with smtp_sink() as (port, received):
        settings = _settings(
            tmp_path,
            finance_sqlite,
            smtp={
                "host": "127.0.0.1",
                "port": port,
                "security": "none",
                "username": "robot",
                "password": "s3cret-pass",
                "sender": "hub@example.cn",
            },
            digest={"recipients": ["cfo@example.cn", "ar@example.cn"]},
        )
        write_digest(settings, finance_sqlite, today=ds.TODAY)
    assert received.auth == [("robot", "s3cret-pass")]
    assert len(received.rcpt_to) == 2
    message = message_from_bytes(received.data[0], policy=policy.default)
    assert message["Subject"] == "SyncHub finance risk digest 2026-03-16 (12 alerts)"
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "86,659.45" in html
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Overdue invoices: 5 (86,659.45)" in text


def test_delivery_failure_keeps_the_file_and_hides_the_password(
    finance_sqlite: Engine, tmp_path: Path
) -> None:
    with smtp_sink() as (port, _received):
        pass  # the port is free again: nothing listens there
    settings = _settings(
        tmp_path,
        finance_sqlite,
        smtp={
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "username": "robot",
            "password": "hunter2-secret",
            "timeout_seconds": 5,
        },
        digest={"recipients": ["cfo@example.cn"]},
    )
    with pytest.raises(DeliveryError) as failure:
        write_digest(settings, finance_sqlite, today=ds.TODAY)
    assert "hunter2-secret" not in str(failure.value)
    assert f"127.0.0.1:{port}" in str(failure.value)
    assert (tmp_path / "var" / "reports" / "finance-digest-2026-03-16.html").exists()
