"""Split one seeded business into what the CRM holds and what the finance system holds.

Real systems overlap untidily, and the first sync must cope: most customers are
in both (the finance side spelling names its own way), some are in one only, a
few are typed twice in finance (ambiguous), and a couple carry a mistyped tax id
in the CRM (dead-lettered until someone fixes them at the source).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from connectors.sdk.fakedata import FakeCompany, Universe

BOTH, CRM_ONLY, ERP_ONLY = "both", "crm", "erp"


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """Which system holds what, and the deliberate flaws."""

    crm: Universe
    erp: Universe
    mistyped_tax_ids: tuple[str, ...]
    """Company keys whose CRM tax id has a wrong check character."""
    duplicated_in_erp: tuple[str, ...]
    """Company keys the finance system holds twice (same tax id)."""


def placement(index: int) -> str:
    """Where company number ``index`` (1-based) lives: 70 % both, 20 % CRM only, 10 % finance only."""
    slot = index % 10
    return ERP_ONLY if slot == 0 else (CRM_ONLY if slot in (8, 9) else BOTH)


def _mistype(company: FakeCompany) -> FakeCompany:
    wrong = "0" if company.tax_id[-1] != "0" else "1"
    return dataclasses.replace(company, tax_id=company.tax_id[:-1] + wrong)


def split(universe: Universe) -> DemoPlan:
    """The CRM's and the finance system's views of ``universe`` (see module docstring)."""
    where = {c.key: placement(int(c.key[1:])) for c in universe.companies}
    both = [c for c in universe.companies if where[c.key] == BOTH]
    mistyped = tuple(c.key for c in both[6:30:12])  # two companies
    duplicated = tuple(c.key for c in both[3:40:15])  # three companies
    crm_companies = [
        _mistype(c) if c.key in mistyped else c
        for c in universe.companies
        if where[c.key] != ERP_ONLY
    ]
    erp_companies = [
        dataclasses.replace(c, name=c.alt_name)
        for c in universe.companies
        if where[c.key] != CRM_ONLY
    ]
    for key in duplicated:
        original = next(c for c in erp_companies if c.key == key)
        erp_companies.append(
            dataclasses.replace(original, key=f"{key}D", name=original.name + "（分公司）")
        )
    invoiced = {i.contract for i in universe.invoices}
    crm_keys = {c.key for c in crm_companies}
    erp_keys = {c.key for c in erp_companies}
    crm = Universe(
        companies=crm_companies,
        contacts=[c for c in universe.contacts if c.company in crm_keys],
        contracts=[c for c in universe.contracts if c.company in crm_keys],
        invoices=[],
        payments=[],
    )
    erp_contracts = [
        c
        for c in universe.contracts
        if c.company in erp_keys
        and (c.number in invoiced or where[c.company] == ERP_ONLY or int(c.number[-2:]) % 2 == 0)
    ]
    erp_numbers = {c.number for c in erp_contracts}
    erp_invoices = [i for i in universe.invoices if i.contract in erp_numbers]
    erp_invoice_numbers = {i.number for i in erp_invoices}
    erp = Universe(
        companies=erp_companies,
        contacts=[],
        contracts=erp_contracts,
        invoices=erp_invoices,
        payments=[p for p in universe.payments if p.invoice in erp_invoice_numbers],
    )
    return DemoPlan(crm, erp, mistyped, duplicated)
