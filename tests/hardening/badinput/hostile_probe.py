"""Load and run hostile mapping expressions in a child process with 1 GB of address space.

Run as ``python hostile_probe.py`` with a JSON list of expressions on stdin; prints
one JSON object per expression: where it was stopped (``load`` or ``run``), the
exception type and message, or ``ok`` with the value's repr. The memory cap means
a missing bound fails the test (a MemoryError reported here) instead of the machine.
"""

from __future__ import annotations

import json
import resource
import sys

LIMIT = 1 << 30


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))
    from hub.mapping import MappingError, MappingFileError, load_text

    results = []
    for expression in json.loads(sys.stdin.read()):
        text = (
            "connector: zoho-crm\nstream: accounts\nentity: customer\nfields:\n"
            "  name: {path: Account_Name}\n"
            f"  phone: {{in: {json.dumps(expression)}}}\n"
        )
        outcome: dict[str, str] = {"expression": expression}
        try:
            mapping = load_text(text, "hostile.yaml")
        except MappingFileError as exc:
            outcome.update(stage="load", error="MappingFileError", message=str(exc))
            results.append(outcome)
            continue
        try:
            value = mapping.apply_in({"Account_Name": "甲", "Amount": 7, "L": [1, 2]})
        except MappingError as exc:
            outcome.update(stage="run", error="MappingError", message=str(exc))
        except BaseException as exc:  # anything else is a finding the test reports
            outcome.update(stage="run", error=type(exc).__name__, message=str(exc)[:300])
        else:
            outcome.update(stage="ok", error="", message=repr(value.values.get("phone"))[:300])
        results.append(outcome)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
