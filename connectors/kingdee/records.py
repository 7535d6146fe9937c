"""Query rows to records, and the FilterString pieces the connector writes.

``ExecuteBillQuery`` returns one row per entry line when entry fields are
selected (header values repeat). ``group_rows`` folds consecutive rows of one
record back into a single dict: header keys at the top level, entry lines
nested under the entry key (line id as ``FEntryID``), server timestamps as
aware Asia/Shanghai datetimes, business dates as dates, money as ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from connectors.kingdee.protocol import SERVER_TZ, parse_server_datetime
from connectors.kingdee.streams import SYSTEM_TIMES, FormSpec
from connectors.sdk import Record


def quote(value: str) -> str:
    """A FilterString string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def in_list(key: str, values: Iterable[str]) -> str:
    """``key IN ('a','b')``."""
    return f"{key} IN ({','.join(quote(v) for v in values)})"


def filter_time(value: datetime) -> str:
    """An aware instant as the server's wall-clock text, milliseconds kept."""
    local = value.astimezone(SERVER_TZ)
    return local.strftime("%Y-%m-%d %H:%M:%S") + f".{local.microsecond // 1000:03d}"


def after(spec: FormSpec, modified: datetime | None, record_id: int | str) -> str:
    """Rows strictly after (modified, id) in ``FModifyDate ASC, id ASC`` order.

    SQL Server sorts NULL first: a record never stamped (some imports leave the
    modify date empty) is followed by the other unstamped ones and then by every
    stamped record.
    """
    if modified is None:
        key = spec.modify_key
        return f"(({key} IS NULL AND {spec.id_key} > {record_id}) OR {key} IS NOT NULL)"
    t = quote(filter_time(modified))
    return (
        f"({spec.modify_key} > {t} OR ({spec.modify_key} >= {t} AND {spec.id_key} > {record_id}))"
    )


def both(*parts: str) -> str:
    """AND of the non-empty parts, each parenthesised."""
    present = [p for p in parts if p]
    return " AND ".join(f"({p})" for p in present)


def _typed(key: str, value: Any, date_keys: Sequence[str]) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if key in SYSTEM_TIMES:
        return parse_server_datetime(value)
    if key in date_keys:
        return parse_server_datetime(value).date()
    return value


def group_rows(spec: FormSpec, keys: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[Record]:
    """Fold rows (arrays in ``keys`` order) into records, one per internal id, in order."""
    header_count = len(keys) - (len(spec.entry_keys) + 1 if spec.entry_key else 0)
    records: list[Record] = []
    current_id: Any = object()
    for row in rows:
        if len(row) != len(keys):
            raise ValueError(f"row has {len(row)} values for {len(keys)} field keys")
        if row[0] != current_id:
            current_id = row[0]
            record: Record = {"FormId": spec.form_id}
            record.update(
                (k, _typed(k, v, spec.date_keys))
                for k, v in zip(keys[:header_count], row[:header_count], strict=True)
            )
            if spec.entry_key:
                record[spec.entry_key] = []
            records.append(record)
        if spec.entry_key and row[header_count] not in (None, 0):
            line: Record = {"FEntryID": row[header_count]}
            line.update(
                (k, _typed(k, v, spec.date_keys))
                for k, v in zip(keys[header_count + 1 :], row[header_count + 1 :], strict=True)
            )
            records[-1][spec.entry_key].append(line)
    return records
