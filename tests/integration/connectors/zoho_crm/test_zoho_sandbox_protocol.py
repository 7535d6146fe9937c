"""The sandbox speaks Zoho's wire protocol: raw HTTP checks of what clients rely on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(ZohoCrmSandbox(token_ttl=600, credits_per_day=1000)) as running:
        yield running


def client(server: SandboxServer) -> httpx.Client:
    creds = server.credentials()
    token = httpx.post(
        f"{creds['accounts_url']}/oauth/v2/token",
        params={  # Airbyte's way: credentials in the query string, empty body
            "refresh_token": creds["refresh_token"],
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
            "grant_type": "refresh_token",
        },
    ).json()
    assert token["api_domain"] == server.url
    assert token["expires_in"] == server.sandbox.token_ttl  # type: ignore[attr-defined]
    return httpx.Client(
        base_url=token["api_domain"],
        headers={"Authorization": f"Zoho-oauthtoken {token['access_token']}"},
    )


def test_token_errors_are_http_200_bodies(server: SandboxServer) -> None:
    creds = server.credentials()
    url = f"{creds['accounts_url']}/oauth/v2/token"
    form = {
        "client_id": creds["client_id"],
        "client_secret": "nope",
        "refresh_token": creds["refresh_token"],
        "grant_type": "refresh_token",
    }
    bad_client = httpx.post(url, data=form)
    bad_token = httpx.post(
        url, data={**form, "client_secret": creds["client_secret"], "refresh_token": "1000.x.y"}
    )
    assert (bad_client.status_code, bad_client.json()) == (200, {"error": "invalid_client"})
    assert (bad_token.status_code, bad_token.json()) == (200, {"error": "invalid_code"})


def test_auth_failures_and_token_expiry(server: SandboxServer) -> None:
    assert httpx.get(f"{server.url}/crm/v8/org").json()["code"] == "AUTHENTICATION_FAILURE"
    with client(server) as api:
        assert api.get("/crm/v8/org").status_code == 200
        server.sandbox.clock.advance(601)
        expired = api.get("/crm/v8/org")
        assert (expired.status_code, expired.json()["code"]) == (401, "INVALID_TOKEN")


def test_list_rules_fields_paging_sorting_and_conditional_get(server: SandboxServer) -> None:
    with client(server) as api:
        missing = api.get("/crm/v8/Accounts")
        assert (missing.status_code, missing.json()["details"]) == (400, {"param_name": "fields"})
        assert (
            api.get(
                "/crm/v8/Accounts", params={"fields": "Account_Name", "per_page": 201}
            ).status_code
            == 400
        )
        listed = api.get(
            "/crm/v8/Accounts", params={"fields": "Account_Name,Modified_Time", "per_page": 5}
        )
        assert listed.headers["content-type"] == "application/json;charset=UTF-8"
        body = listed.json()
        assert set(body["data"][0]) == {"id", "Account_Name", "Modified_Time"}
        assert body["info"]["sort_order"] == "desc"
        assert body["info"]["more_records"] is True
        assert body["info"]["next_page_token"]
        latest = max(
            datetime.fromisoformat(r["Modified_Time"])
            for r in api.get("/crm/v8/Accounts", params={"fields": "Modified_Time"}).json()["data"]
        )
        after = api.get(
            "/crm/v8/Accounts",
            params={"fields": "Modified_Time"},
            headers={"If-Modified-Since": (latest + timedelta(seconds=1)).isoformat()},
        )
        assert (after.status_code, after.content) == (304, b"")
        at = api.get(
            "/crm/v8/Accounts",
            params={"fields": "Modified_Time"},
            headers={"If-Modified-Since": latest.isoformat()},
        )
        assert at.status_code == 200
        assert len(at.json()["data"]) >= 1
        assert latest.utcoffset() == timedelta(hours=8)  # China DC: the user's offset


def test_page_numbers_stop_at_2000_and_tokens_go_on(server: SandboxServer) -> None:
    server.sandbox.reset("accounts", 2050)
    with client(server) as api:
        params = {"fields": "Account_Name", "per_page": 200, "sort_by": "id", "sort_order": "asc"}
        past = api.get("/crm/v8/Accounts", params={**params, "page": 11})
        assert past.json()["code"] == "DISCRETE_PAGINATION_LIMIT_EXCEEDED"
        tenth = api.get("/crm/v8/Accounts", params={**params, "page": 10}).json()
        token = tenth["info"]["next_page_token"]
        both = api.get("/crm/v8/Accounts", params={**params, "page": 1, "page_token": token})
        assert both.json()["code"] == "AMBIGUITY_DURING_PROCESSING"
        changed = api.get(
            "/crm/v8/Accounts", params={**params, "per_page": 100, "page_token": token}
        )
        assert changed.json()["code"] == "TOKEN_BOUND_DATA_MISMATCH"
        rest = api.get("/crm/v8/Accounts", params={**params, "page_token": token}).json()
        assert len(rest["data"]) == 50
        assert rest["info"]["more_records"] is False


def test_writes_answer_per_record_with_207_and_real_codes(server: SandboxServer) -> None:
    sandbox = server.sandbox
    existing = sandbox.get_record("accounts", next(iter(sandbox.remote_ids("accounts"))))
    assert existing is not None
    with client(server) as api:
        answer = api.post(
            "/crm/v8/Accounts",
            json={"data": [
                {"Account_Name": "深圳新元数据服务有限公司", "Finance_Email": "finance@example.cn"},
                {"Account_Name": existing["Account_Name"]},
                {"Account_Name": "x" * 201},
                {"Phone": "0755-1"},
            ]},
        )  # fmt: skip
        assert answer.status_code == 207
        codes = [item["code"] for item in answer.json()["data"]]
        assert codes == ["SUCCESS", "DUPLICATE_DATA", "INVALID_DATA", "MANDATORY_NOT_FOUND"]
        duplicate = answer.json()["data"][1]["details"]
        assert duplicate["duplicate_record"]["id"] == existing["id"]
        assert answer.json()["data"][2]["details"]["maximum_length"] == 200
        too_many = api.post(
            "/crm/v8/Accounts", json={"data": [{"Account_Name": str(i)} for i in range(101)]}
        )
        assert (too_many.status_code, too_many.json()["code"]) == (400, "LIMIT_EXCEEDED")
        all_bad = api.post(
            "/crm/v8/Accounts/upsert",
            json={"data": [{"Phone": "1"}], "duplicate_check_fields": ["SyncHub_ID"]},
        )
        assert all_bad.status_code == 400
        assert all_bad.json()["data"][0]["code"] == "MANDATORY_NOT_FOUND"
        upsert = api.post(
            "/crm/v8/Accounts/upsert",
            json={"data": [{"Account_Name": "深圳新元数据服务有限公司", "Phone": "0755-2"}]},
        )
        item = upsert.json()["data"][0]
        assert (item["action"], item["duplicate_field"]) == ("update", "Account_Name")


def test_inventory_totals_line_items_only_on_single_get(server: SandboxServer) -> None:
    sandbox = server.sandbox
    invoice_id = next(iter(sandbox.remote_ids("invoices")))
    with client(server) as api:
        listed = api.get(
            "/crm/v8/Invoices",
            params={"fields": "Subject,Invoiced_Items,Grand_Total", "ids": invoice_id},
        )
        assert "Invoiced_Items" not in listed.json()["data"][0]
        single = api.get(f"/crm/v8/Invoices/{invoice_id}").json()["data"][0]
        item = single["Invoiced_Items"][0]
        assert item["Parent_Id"]["id"] == invoice_id
        assert round(single["Sub_Total"] + single["Tax"], 2) == single["Grand_Total"]
        assert round(item["Total_After_Discount"] + item["Tax"], 2) == item["Net_Total"]


def test_deleted_records_metadata_and_coql(server: SandboxServer) -> None:
    sandbox = server.sandbox
    with client(server) as api:
        assert api.get("/crm/v8/Payments/deleted", params={"type": "all"}).status_code == 204
        victim = next(iter(sandbox.remote_ids("payments")))
        assert (
            api.delete("/crm/v8/Payments", params={"ids": victim}).json()["data"][0]["message"]
            == "record deleted"
        )
        deleted = api.get("/crm/v8/Payments/deleted", params={"type": "all"}).json()["data"]
        assert [d["id"] for d in deleted] == [victim]
        assert deleted[0]["type"] == "recycle"
        assert (
            api.get("/crm/v8/Payments/deleted", params={"type": "bin"}).json()["code"]
            == "PATTERN_NOT_MATCHED"
        )
        modules = {m["api_name"]: m for m in api.get("/crm/v8/settings/modules").json()["modules"]}
        assert modules["Contracts"]["generated_type"] == "custom"
        fields = {
            f["api_name"]: f
            for f in api.get("/crm/v8/settings/fields", params={"module": "Contracts"}).json()[
                "fields"
            ]
        }
        assert fields["Milestones"]["associated_module"]["module"] == "Milestones"
        assert fields["Account"]["lookup"]["module"]["api_name"] == "Accounts"
        rows = api.post(
            "/crm/v8/coql",
            json={
                "select_query": "select Milestone_Name, Parent_Id from Milestones where Milestone_Status = 'Accepted' limit 0, 5"
            },
        ).json()
        assert rows["data"]
        assert all(set(r) == {"id", "Milestone_Name", "Parent_Id"} for r in rows["data"])
        bad = api.post("/crm/v8/coql", json={"select_query": "select from Accounts"})
        assert (bad.status_code, bad.json()["code"]) == (400, "SYNTAX_ERROR")
        assert (
            api.post(
                "/crm/v8/coql", json={"select_query": "select id from Accounts limit 2001"}
            ).json()["code"]
            == "LIMIT_EXCEEDED"
        )


def test_credits_per_day_answer_429_with_the_vendor_body() -> None:
    with SandboxServer(ZohoCrmSandbox(credits_per_day=3)) as limited, client(limited) as api:
        statuses = [api.get("/crm/v8/org").status_code for _ in range(4)]
        refused = api.get("/crm/v8/org")
        limited.sandbox.clock.freeze(datetime.now(UTC) + timedelta(hours=25))
        after_a_day = api.get("/crm/v8/org")
    assert statuses == [200, 200, 200, 429]
    body = refused.json()
    assert body["code"] == "TOO_MANY_REQUESTS"
    assert body["details"]["retry_after"] > 0
    assert (
        after_a_day.status_code == 401
    )  # a day later the token has long expired; the credits are back


def test_options_given_as_text_from_the_command_line_are_understood() -> None:
    sandbox = ZohoCrmSandbox(companies=2, token_ttl="90", credits_per_day="5", max_concurrency="")
    assert sandbox.token_ttl == 90.0
    assert sandbox.meter.credits_per_day == 5
    assert sandbox.meter.max_concurrency is None
