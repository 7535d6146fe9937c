"""Products for inventory line items, resolved by name.

Zoho computes an invoice's totals from its line items, and a line item must look
up a product. The hub has no products (finance invoices a milestone, not a
SKU), so a mapping names the product of each line (``{"Product_Name": {"name":
"..."}}``) and the connector turns that name into the org's product id, creating
the product once if the org does not have it yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.sdk import VendorError, WriteRequest
from connectors.zoho_crm.client import ZohoApi

PRODUCTS = "Products"


class ProductResolver:
    """Name -> product id, looked up with COQL and cached for the connector's lifetime."""

    def __init__(self, api: ZohoApi) -> None:
        self.api = api
        self.ids: dict[str, str] = {}

    async def resolve(
        self, requests: Sequence[WriteRequest], items_field: str
    ) -> list[WriteRequest]:
        """Requests whose line items name products by name get the product ids instead."""
        names = {name for r in requests for name in _names(r.data.get(items_field))} - set(self.ids)
        if names:
            await self._find(sorted(names))
            for name in sorted(names - set(self.ids)):
                await self._create(name)
        return [_with_ids(r, items_field, self.ids) for r in requests]

    async def _find(self, names: list[str]) -> None:
        quoted = ", ".join("'" + n.replace("\\", "\\\\").replace("'", "\\'") + "'" for n in names)
        # COQL, not SQL; names are quoted and escaped above.
        query = (
            f"select id, Product_Name from {PRODUCTS} where Product_Name in ({quoted}) limit 0, 200"  # noqa: S608
        )
        body = await self.api.call("POST", self.api.path("coql"), body={"select_query": query})
        for record in (body or {}).get("data") or []:
            if isinstance(record, dict) and record.get("Product_Name") in names:
                self.ids[str(record["Product_Name"])] = str(record["id"])

    async def _create(self, name: str) -> None:
        body = {
            "data": [{"Product_Name": name}],
            "duplicate_check_fields": ["Product_Name"],
            "trigger": [],
        }
        answer = await self.api.call("POST", self.api.path(PRODUCTS, "upsert"), body=body)
        item = ((answer or {}).get("data") or [{}])[0]
        product_id = (item.get("details") or {}).get("id") if isinstance(item, dict) else None
        if not product_id:
            raise VendorError(
                f"could not create line-item product {name!r}: {item}", endpoint=PRODUCTS
            )
        self.ids[name] = str(product_id)


def _names(items: Any) -> list[str]:
    if not isinstance(items, list):
        return []
    names = []
    for item in items:
        product = item.get("Product_Name") if isinstance(item, dict) else None
        if (
            isinstance(product, dict)
            and "id" not in product
            and isinstance(product.get("name"), str)
        ):
            names.append(product["name"])
    return names


def _with_ids(request: WriteRequest, items_field: str, ids: dict[str, str]) -> WriteRequest:
    items = request.data.get(items_field)
    if not isinstance(items, list) or not _names(items):
        return request
    resolved = []
    for item in items:
        product = item.get("Product_Name")
        if isinstance(product, dict) and "id" not in product and product.get("name") in ids:
            resolved.append({**item, "Product_Name": {"id": ids[product["name"]]}})
        else:
            resolved.append(item)
    return WriteRequest(
        data={**request.data, items_field: resolved},
        external_key=request.external_key,
        remote_id=request.remote_id,
    )
