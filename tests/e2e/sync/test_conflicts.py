"""A field edited on both sides between two runs: the owner wins, or it waits for a person."""

from __future__ import annotations

from e2e_support import Hub

from hub.demo.run import CRM, ERP, PIPELINE
from hub.settings import ConflictPolicy
from hub.sync import conflicts as conflict_ops
from hub.sync import repo


def _linked_customer(hub: Hub) -> tuple[str, str, str]:
    """A customer linked in both systems: (hub id, CRM account id, Kingdee number)."""
    for erp in hub.links(ERP, "customer"):
        crm = hub.link(CRM, "customer", hub_id=erp["hub_id"])
        if crm is not None:
            return erp["hub_id"], crm["remote_id"], erp["remote_id"]
    raise AssertionError("the demo has customers in both systems")


def _edit_both(hub: Hub, account_id: str, number: str, crm_phone: str, erp_phone: str) -> None:
    hub.zoho().update("Accounts", account_id, {"Phone": crm_phone})
    record = hub.erp.sandbox.get_record("customers", number)
    assert record is not None
    hub.kingdee().edit("BD_Customer", "FCUSTID", record["FCUSTID"], number, {"FTEL": erp_phone})


def test_the_owner_settles_a_field_changed_on_both_sides(hub: Hub) -> None:
    hub.run()
    hub.run()
    hub_id, account_id, number = _linked_customer(hub)
    _edit_both(hub, account_id, number, crm_phone="0571-11111111", erp_phone="0571-22222222")

    hub.run()

    # The CRM owns customer contact data: its phone wins everywhere.
    with hub.demo.engine.connect() as conn:
        assert repo.rows_by_id(conn, "customer", [hub_id])[hub_id]["phone"] == "0571-11111111"
    assert hub.erp.sandbox.get_record("customers", number)["FTEL"] == "0571-11111111"  # type: ignore[index]
    assert conflict_ops.list_conflicts(hub.demo.engine) == [] or all(
        c["kind"] == "match" for c in conflict_ops.list_conflicts(hub.demo.engine)
    )


def test_with_policy_hold_the_conflict_waits_and_its_resolution_is_applied_next_run(
    hub: Hub,
) -> None:
    hub.settings.pipelines[PIPELINE] = hub.settings.pipelines[PIPELINE].model_copy(
        update={"conflict_policy": ConflictPolicy.HOLD}
    )
    hub.run()
    hub.run()
    hub_id, account_id, number = _linked_customer(hub)
    _edit_both(hub, account_id, number, crm_phone="0571-33333333", erp_phone="0571-44444444")

    hub.run()

    held = [
        c
        for c in conflict_ops.list_conflicts(hub.demo.engine)
        if c["kind"] == "field" and c["hub_id"] == hub_id
    ]
    assert len(held) == 1
    conflict = held[0]
    assert conflict["field"] == "phone"
    assert conflict["values"][ERP] == "0571-44444444"
    assert (
        conflict["values"]["hub"] == "0571-33333333" or conflict["values"][CRM] == "0571-33333333"
    )
    # Held means held: neither system was overwritten.
    assert hub.erp.sandbox.get_record("customers", number)["FTEL"] == "0571-44444444"  # type: ignore[index]
    assert hub.zoho().get("Accounts", account_id)["Phone"] == "0571-33333333"

    conflict_ops.resolve_field(hub.demo.engine, conflict["id"], use=ERP, actor="test")
    hub.run()

    assert hub.zoho().get("Accounts", account_id)["Phone"] == "0571-44444444"
    assert hub.erp.sandbox.get_record("customers", number)["FTEL"] == "0571-44444444"  # type: ignore[index]
    assert conflict_ops.get_conflict(hub.demo.engine, conflict["id"])["status"] == "resolved"  # type: ignore[index]
    settled = hub.run().total()
    assert (settled.held, settled.pushed_updated) == (0, 0)
