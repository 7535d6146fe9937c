"""Someone in finance entering documents in YonBIP through its open API.

What a tenant's own scripts or the YonBIP client do on the wire, written here from
the vendor's protocol (data-centre discovery, the self-built app token signed with
HMAC-SHA256 over ``appKey<key>timestamp<ms>``, ``{"data": ...}`` saves with
``_status`` on header and rows), not through the connector under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import httpx

from connectors.sdk.sandbox import SandboxServer

SAVES = ("save", "insert")
"""Path words of YonBIP's write endpoints (lists and details are POSTs/GETs too)."""


class YonBipUser:
    """A finance clerk's session against one YonBIP tenant."""

    def __init__(self, server: SandboxServer) -> None:
        creds = server.credentials()
        found = httpx.get(
            f"{creds['base_url']}/open-auth/dataCenter/getGatewayAddress",
            params={"tenantId": creds["tenant_id"]},
        ).json()
        assert found["code"] == "00000", found
        stamp = str(int(time.time() * 1000))
        text = f"appKey{creds['app_key']}timestamp{stamp}".encode()
        digest = hmac.new(creds["app_secret"].encode(), text, hashlib.sha256).digest()
        token = httpx.get(
            f"{found['data']['tokenUrl']}/open-auth/selfAppAuth/base/v1/getAccessToken",
            params={
                "appKey": creds["app_key"],
                "timestamp": stamp,
                "signature": base64.b64encode(digest).decode(),
            },
        ).json()
        assert token["code"] == "00000", token
        self.client = httpx.Client(
            base_url=found["data"]["gatewayUrl"],
            params={"access_token": token["data"]["access_token"]},
        )

    def save(self, path: str, data: dict[str, Any]) -> dict[str, Any]:
        """POST one document (``_status`` Insert on header and rows); returns what was saved."""
        rows = {k: [{**r, "_status": "Insert"} for r in v] for k, v in data.items() if _rows(v)}
        answer = self.client.post(path, json={"data": {**data, **rows, "_status": "Insert"}})
        body = answer.json()
        assert str(body["code"]) == "200", body
        return body["data"]  # type: ignore[no-any-return]

    def invoice(self, number: str, order: dict[str, Any], net: int, tax: int) -> dict[str, Any]:
        """A VAT special invoice against a sales order (its customer and order number)."""
        return self.save(
            "/yonbip/sd/vouchersaleinvoice/singleSave",
            {
                "code": number,
                "vouchdate": "2026-11-20 00:00:00",
                "orgId": "global00",
                "agentId": order["agentId"],
                "orderNo": order["code"],
                "invoiceType": "1",
                "currency": "CNY",
                "exchRate": 1,
                "invDirection": 2,
                "oriMoney": net,
                "oriTax": tax,
                "oriSum": net + tax,
                "taxRate": 6,
                "maturitydate": "2026-12-20",
                "saleInvoiceDetails": [
                    {
                        "orderNo": order["code"],
                        "qty": 1,
                        "oriMoney": net,
                        "oriTax": tax,
                        "oriSum": net + tax,
                    }
                ],
            },
        )

    def receipt(self, number: str, customer_code: str, invoice: str, amount: int) -> dict[str, Any]:
        """Money received by bank transfer against an invoice."""
        return self.save(
            "/yonbip/fi/receivebill/single/save",
            {
                "code": number,
                "vouchdate": "2026-11-28",
                "accentity_code": "global00",
                "customer_code": customer_code,
                "tradetype_code": "arap_receipt_other",
                "currency": "CNY",
                "exchangeRateType_code": "01",
                "exchRate": 1,
                "oriSum": amount,
                "natSum": amount,
                "invoiceno": invoice,
                "settlemode_code": "1",
                "ReceiveBill_b": [
                    {
                        "quickType_code": "1",
                        "oriSum": amount,
                        "natSum": amount,
                        "customer_code": customer_code,
                        "invoiceno": invoice,
                    }
                ],
            },
        )


def _rows(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def bip_writes(server: SandboxServer) -> int:
    """Save requests YonBIP has served."""
    return sum(
        n
        for (method, path), n in server.sandbox.requests.items()
        if method == "POST" and any(word in path.lower() for word in SAVES)
    )
