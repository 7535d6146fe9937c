"""The finance pages over a live server, on the hand-computed data set, with the clock frozen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "integration" / "finance"))

import finance_dataset as ds

from hub.web.finance import data


@pytest.fixture
def finance_store(hub_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """``hub_engine`` holding the data set; the finance pages believe today is ``ds.TODAY``."""
    ds.load(hub_engine)
    monkeypatch.setattr(data, "business_today", lambda zone, now=None: ds.TODAY)
    return hub_engine
