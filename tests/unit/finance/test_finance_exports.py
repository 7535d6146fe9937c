"""CSV and XLSX exports keep Decimal amounts exact; SVG charts are well-formed and escaped."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hub.finance.charts import Series, grouped_bars, nice_max, short_amount, stacked_bars
from hub.finance.exports import ExportTable, render, to_csv, to_xlsx

TABLE = ExportTable(
    title="AR ageing / 应收账龄",
    headers=("customer", "due", "open balance"),
    rows=[
        ("杭州云链信息科技有限公司", date(2026, 3, 10), Decimal("22600.00")),
        ('A, "quoted" name', None, Decimal("0.10")),
    ],
    notes=("Buckets by days past due.",),
)
SVG = "{http://www.w3.org/2000/svg}"


def test_csv_is_excel_friendly_and_exact() -> None:
    data = to_csv(TABLE)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["customer", "due", "open balance"]
    assert rows[1] == ["杭州云链信息科技有限公司", "2026-03-10", "22600.00"]
    assert rows[2] == ['A, "quoted" name', "", "0.10"]
    assert rows[3] == ["Buckets by days past due."]


def test_xlsx_holds_numbers_to_the_cent() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(TABLE)))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "AR ageing  应收账龄"
    assert [c.value for c in sheet[1]] == ["customer", "due", "open balance"]
    assert sheet["C2"].value == 22600
    assert sheet["C2"].number_format == "#,##0.00"
    assert Decimal(str(sheet["C3"].value)) == Decimal("0.10")
    assert sheet["A2"].value == "杭州云链信息科技有限公司"
    assert sheet["A5"].value == "Buckets by days past due."


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="csv or xlsx"):
        render(TABLE, "pdf")


def test_stacked_bars_are_valid_svg_with_exact_titles() -> None:
    svg = stacked_bars(
        "Ageing <by> bucket",
        ["<script>", "B & Co"],
        [
            Series("invoices", [Decimal("1200.50"), Decimal("0")]),
            Series("milestones", [Decimal("300"), Decimal("-5")]),
        ],
    )
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG}svg"
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Ageing <by> bucket" in titles
    assert "<script> invoices: 1,200.50" in titles
    assert "<script>" not in svg  # escaped in the markup
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 2  # zero and negative values draw nothing


def test_grouped_bars_scale() -> None:
    svg = grouped_bars(
        "Revenue",
        ["2026-01", "2026-02"],
        [
            Series("recognised", [Decimal("10"), Decimal("20")]),
            Series("invoiced", [Decimal("5"), Decimal("40")]),
        ],
    )
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    heights = {
        r.find(f"{SVG}title").text: float(r.get("height"))  # type: ignore[union-attr]
        for r in root.iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None
    }
    assert heights["2026-02 invoiced: 40"] == pytest.approx(2 * heights["2026-02 recognised: 20"])
    assert nice_max(Decimal("40")) == Decimal("50")
    assert nice_max(Decimal("120000")) == Decimal("200000")
    assert nice_max(Decimal(0)) == 1
    assert short_amount(Decimal("1500000")) == "1.5M"
    assert short_amount(Decimal("2000000")) == "2M"
    assert short_amount(Decimal("35000")) == "35K"
