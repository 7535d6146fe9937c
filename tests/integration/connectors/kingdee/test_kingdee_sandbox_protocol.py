"""The simulator's wire protocol over real sockets, spoken by hand (no connector in between)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.kingdee.protocol import parse_server_datetime
from connectors.kingdee.sandbox import KingdeeSandbox
from connectors.kingdee.signing import SigningIdentity, signed_headers
from connectors.sdk.sandbox import SandboxServer

STUB = "Kingdee.BOS.WebApi.ServicesStub."


class Api:
    """A hand-rolled client: session login by password, JSON bodies, decimals exact."""

    def __init__(self, server: SandboxServer) -> None:
        self.creds = server.credentials()
        self.base = self.creds["base_url"]
        self.http = httpx.Client()
        login = self.post("AuthService.ValidateUser", {"parameters": self.login_parameters()})
        self.session = login["KDSVCSessionId"]

    def login_parameters(self, password: str | None = None) -> list[Any]:
        c = self.creds
        return [c["acct_id"], c["user_name"], password or c["password"], c["lcid"]]

    def raw(self, service: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(self.base + STUB + service + ".common.kdsvc", **kwargs)

    def post(self, service: str, body: Any, **kwargs: Any) -> Any:
        response = self.raw(service, json=body, **kwargs)
        assert response.status_code == 200, response.text
        return json.loads(response.content, parse_float=Decimal)

    def call(self, method: str, body: Any) -> Any:
        return self.post(
            "DynamicFormService." + method, body, headers={"kdservice-sessionid": self.session}
        )

    def query(self, **data: Any) -> Any:
        return self.call("ExecuteBillQuery", {"data": data})

    def save(self, form: str, model: Any, **options: Any) -> dict[str, Any]:
        method = "BatchSave" if isinstance(model, list) else "Save"
        return self.call(method, {"formid": form, "data": {"Model": model, **options}})["Result"]

    def op(self, method: str, form: str, **data: Any) -> dict[str, Any]:
        return self.call(method, {"formid": form, "data": data})["Result"]["ResponseStatus"]


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    with SandboxServer(KingdeeSandbox(seed=7, companies=6)) as running:
        yield running


@pytest.fixture
def api(server: SandboxServer) -> Iterator[Api]:
    client = Api(server)
    yield client
    client.http.close()


def order(customer: str, *lines: tuple[str, str], number: str | None = None) -> dict[str, Any]:
    model: dict[str, Any] = {
        "FBillTypeID": {"FNUMBER": "XSDD01_SYS"},
        "FDate": "2024-05-06",
        "FSaleOrgId": {"FNumber": "100"},
        "FCustId": {"FNumber": customer},
        "FSaleOrderFinance": {"FSettleCurrId": {"FNumber": "PRE001"}, "FExchangeRate": 1},
        "FSaleOrderEntry": [
            {
                "FMaterialId": {"FNumber": "SVC-DEV"},
                "FQty": qty,
                "FTaxPrice": price,
                "FEntryTaxRate": 13,
            }
            for qty, price in lines
        ],
    }
    if number:
        model["FBillNo"] = number
    return model


def test_every_accepted_body_style_reaches_the_same_records(api: Api) -> None:
    data = {"FormId": "BD_Customer", "FieldKeys": "FNumber", "OrderString": "FNumber ASC"}
    expected = api.query(**data)
    headers = {"kdservice-sessionid": api.session}
    styles = [
        {"data": json.dumps(data)},
        {"Data": data},
        {"parameters": [json.dumps(data)]},
    ]
    for body in styles:
        assert (
            api.post(STUB and "DynamicFormService.ExecuteBillQuery", body, headers=headers)
            == expected
        )
    form = api.raw(
        "DynamicFormService.ExecuteBillQuery",
        data={"data": json.dumps(data)},
        headers=headers,
    )
    assert json.loads(form.content) == expected
    saved = api.call(
        "Save",
        {
            "parameters": [
                "BD_Customer",
                json.dumps(
                    {"Model": {"FName": "位置参数客户", "FCreateOrgId": {"FNumber": "100"}}}
                ),
            ]
        },
    )
    assert saved["Result"]["ResponseStatus"]["IsSuccess"] is True


def test_routing_and_methods(api: Api) -> None:
    assert api.raw("DynamicFormService.NoSuchThing", json={}).status_code == 404
    wrong_verb = api.http.get(api.base + STUB + "DynamicFormService.View.common.kdsvc")
    assert wrong_verb.status_code == 405
    assert wrong_verb.headers["content-type"].startswith("text/plain")


def test_entry_fields_fan_out_and_references_resolve(api: Api) -> None:
    result = api.save("SAL_SaleOrder", order("C00001", ("1", "113"), ("2", "226"), number="FAN-1"))
    assert result["ResponseStatus"]["IsSuccess"], result
    rows = api.query(
        FormId="SAL_SaleOrder",
        FieldKeys="FBillNo,FCustId,FCustId.FNumber,FCustId.FName,FSaleOrderEntry_FEntryID,FQty,FAllAmount,FAmount,FBillAllAmount",
        FilterString="FBillNo = 'FAN-1'",
        OrderString="FSaleOrderEntry_FEntryID ASC",
    )
    assert len(rows) == 2
    customer_id = api.query(
        FormId="BD_Customer", FieldKeys="FCUSTID", FilterString="FNumber = 'C00001'"
    )[0][0]
    first, second = rows
    assert first[:2] == ["FAN-1", customer_id]
    assert first[2] == "C00001"
    assert first[3]
    assert first[4] < second[4]
    assert (first[5], first[6], first[7]) == (Decimal("1.0"), Decimal("113.00"), Decimal("100.00"))
    assert first[8] == second[8] == Decimal("565.00")  # 1 x 113 + 2 x 226
    header_only = api.query(
        FormId="SAL_SaleOrder", FieldKeys="FBillNo", FilterString="FBillNo = 'FAN-1'"
    )
    assert header_only == [["FAN-1"]]


def test_filter_order_and_windows(api: Api) -> None:
    all_numbers = [
        r[0]
        for r in api.query(FormId="BD_Customer", FieldKeys="FNumber", OrderString="FNumber DESC")
    ]
    assert all_numbers == sorted(all_numbers, reverse=True)
    assert [
        r[0]
        for r in api.query(
            FormId="BD_Customer",
            FieldKeys="FNumber",
            OrderString="FNumber ASC",
            StartRow=1,
            Limit=2,
        )
    ] == sorted(all_numbers)[1:3]
    capped = api.query(
        FormId="BD_Customer",
        FieldKeys="FNumber",
        OrderString="FNumber ASC",
        TopRowCount=2,
        StartRow=1,
        Limit=5,
    )
    assert [r[0] for r in capped] == sorted(all_numbers)[1:2]
    picked = api.query(
        FormId="BD_Customer",
        FieldKeys="FNumber",
        FilterString="(FNumber IN ('C00001','C00002') OR FNumber LIKE 'C0000_') AND NOT FNumber = 'C00003'",
        OrderString="FNumber ASC",
    )
    assert [r[0] for r in picked] == [
        n for n in sorted(all_numbers) if n.startswith("C0000") and n != "C00003"
    ]
    stamp = api.query(
        FormId="BD_Customer", FieldKeys="FModifyDate", FilterString="FNumber = 'C00002'"
    )[0][0]
    local = stamp.replace("T", " ")
    assert [
        r[0]
        for r in api.query(
            FormId="BD_Customer", FieldKeys="FNumber", FilterString=f"FModifyDate = '{local}'"
        )
    ] == ["C00002"]
    later = api.query(
        FormId="BD_Customer",
        FieldKeys="FNumber",
        FilterString=f"FModifyDate > '{local}' AND FNumber = 'C00002'",
    )
    assert later == []


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        ({"FormId": "BD_Customer", "FieldKeys": "FNumber,FNope"}, 9, "FNope的字段不存在"),
        ({"FormId": "NO_SUCH_FORM", "FieldKeys": "FNumber"}, 4, "业务对象不存在"),
        ({"FormId": "BD_Customer", "FieldKeys": ""}, 8, "FieldKeys"),
        (
            {"FormId": "BD_Customer", "FieldKeys": "FNumber", "FilterString": "FNumber = = 'x'"},
            4,
            "GetRealExpress",
        ),
    ],
)
def test_query_errors_come_wrapped_twice(
    api: Api, data: dict[str, Any], code: int, words: str
) -> None:
    reply = api.query(**data)
    status = reply[0][0]["Result"]["ResponseStatus"]
    assert status["IsSuccess"] is False
    assert status["MsgCode"] == code
    assert words in status["Errors"][0]["Message"]


def test_bill_query_returns_objects(api: Api) -> None:
    rows = api.call(
        "BillQuery", {"data": {"FormId": "BD_Customer", "FieldKeys": "FNumber,FName", "Limit": 1}}
    )
    assert set(rows[0]) == {"FNumber", "FName"}


def test_update_by_internal_id_respects_need_update_fields_and_is_delete_entry(api: Api) -> None:
    created = api.save("SAL_SaleOrder", order("C00002", ("1", "10"), ("1", "20"), number="UPD-1"))
    bill_id = created["Id"]
    rows = api.query(
        FormId="SAL_SaleOrder",
        FieldKeys="FSaleOrderEntry_FEntryID",
        FilterString="FBillNo = 'UPD-1'",
        OrderString="FSaleOrderEntry_FEntryID ASC",
    )
    keep = rows[0][0]
    updated = api.save(
        "SAL_SaleOrder",
        {
            "FID": bill_id,
            "FNote": "改过",
            "FDate": "2030-01-01",
            "FSaleOrderEntry": [{"FEntryID": keep, "FQty": 5}],
        },
        NeedUpDateFields=["FNote", "FSaleOrderEntry", "FQty"],
    )
    assert updated["ResponseStatus"]["IsSuccess"], updated
    after = api.query(
        FormId="SAL_SaleOrder",
        FieldKeys="FNote,FDate,FSaleOrderEntry_FEntryID,FQty,FBillAllAmount",
        FilterString="FBillNo = 'UPD-1'",
    )
    assert after == [["改过", "2024-05-06T00:00:00", keep, Decimal("5.0"), Decimal("50.00")]]
    kept = api.save(
        "SAL_SaleOrder",
        {
            "FID": bill_id,
            "FSaleOrderEntry": [{"FMaterialId": {"FNumber": "SVC-OPS"}, "FQty": 1, "FTaxPrice": 1}],
        },
        IsDeleteEntry=False,
    )
    assert kept["ResponseStatus"]["IsSuccess"]
    assert (
        len(api.query(FormId="SAL_SaleOrder", FieldKeys="FQty", FilterString="FBillNo = 'UPD-1'"))
        == 2
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"FCustId": "C00001"}, "值必须是对象"),
        ({"FCustId": {"FNumber": "NOBODY"}}, "NOBODY"),
        ({"FBillTypeID": {"FNumber": "YSD01_SYS"}}, "单据类型"),
        ({"FDate": "not a date"}, "格式不正确"),
    ],
)
def test_bad_values_are_refused_with_the_field(
    api: Api, change: dict[str, Any], words: str
) -> None:
    result = api.save("SAL_SaleOrder", {**order("C00001", ("1", "1")), **change})
    status = result["ResponseStatus"]
    assert status["IsSuccess"] is False
    assert status["SuccessEntitys"] == []
    assert words in status["Errors"][0]["Message"]
    assert status["Errors"][0]["FieldName"] in change


def test_batch_save_reports_each_model_by_dindex(api: Api) -> None:
    before = len(api.query(FormId="BD_Customer", FieldKeys="FNumber"))
    good = {"FName": "批量甲", "FCreateOrgId": {"FNumber": "100"}}
    result = api.save(
        "BD_Customer", [good, {"FCreateOrgId": {"FNumber": "100"}}, {**good, "FName": "批量乙"}]
    )
    status = result["ResponseStatus"]
    assert status["IsSuccess"] is False
    assert [e["DIndex"] for e in status["SuccessEntitys"]] == [0, 2]
    assert [e["DIndex"] for e in status["Errors"]] == [1]
    assert len(api.query(FormId="BD_Customer", FieldKeys="FNumber")) == before + 2


def test_atomic_batch_commits_nothing_when_one_model_fails() -> None:
    with SandboxServer(KingdeeSandbox(companies=2, atomic_batch=True)) as server:
        api = Api(server)
        before = len(api.query(FormId="BD_Customer", FieldKeys="FNumber"))
        result = api.save(
            "BD_Customer", [{"FName": "原子甲", "FCreateOrgId": {"FNumber": "100"}}, {"FName": ""}]
        )
        assert result["ResponseStatus"]["SuccessEntitys"] == []
        assert len(api.query(FormId="BD_Customer", FieldKeys="FNumber")) == before
        api.http.close()


def test_document_status_machine(api: Api) -> None:
    api.save("SAL_SaleOrder", order("C00003", ("1", "1"), number="ST-1"))
    api.save("SAL_SaleOrder", order("C00003", ("1", "1"), number="ST-2"))

    def status_of(number: str) -> str:
        return str(
            api.query(
                FormId="SAL_SaleOrder",
                FieldKeys="FDocumentStatus",
                FilterString=f"FBillNo = '{number}'",
            )[0][0]
        )

    audit_first = api.op("Audit", "SAL_SaleOrder", Numbers=["ST-1"])
    assert audit_first["IsSuccess"] is False
    assert "不允许审核" in audit_first["Errors"][0]["Message"]
    submitted = api.op("Submit", "SAL_SaleOrder", Numbers=["ST-1", "NOT-THERE", "ST-2"])
    assert submitted["IsSuccess"] is True, "unknown numbers are skipped without a word"
    assert [e["Number"] for e in submitted["SuccessEntitys"]] == ["ST-1", "ST-2"]
    assert api.op("Audit", "SAL_SaleOrder", Numbers=["ST-1"])["IsSuccess"]
    assert status_of("ST-1") == "C"
    refused = api.save("SAL_SaleOrder", {"FBillNo": "ST-1", "FID": _id(api, "ST-1"), "FNote": "x"})
    assert "已审核" in refused["ResponseStatus"]["Errors"][0]["Message"]
    assert api.op("Delete", "SAL_SaleOrder", Numbers=["ST-1"])["IsSuccess"] is False
    assert api.op("UnAudit", "SAL_SaleOrder", Ids=str(_id(api, "ST-1")))["IsSuccess"]
    assert status_of("ST-1") == "D"
    assert api.save("SAL_SaleOrder", {"FID": _id(api, "ST-1"), "FNote": "反审核后可改"})[
        "ResponseStatus"
    ]["IsSuccess"]
    assert api.op("CancelAssign", "SAL_SaleOrder", Numbers=["ST-2"])["IsSuccess"]
    assert status_of("ST-2") == "A"
    assert api.op("Delete", "SAL_SaleOrder", Numbers=["ST-2"])["IsSuccess"]
    nothing = api.op("Submit", "SAL_SaleOrder", Numbers=["NOT-THERE"])
    assert nothing["IsSuccess"] is False
    assert nothing["MsgCode"] == 10
    ids_as_list = api.op("Submit", "SAL_SaleOrder", Ids=[1, 2])
    assert ids_as_list["MsgCode"] == 8


def _id(api: Api, number: str) -> int:
    return int(
        api.query(FormId="SAL_SaleOrder", FieldKeys="FID", FilterString=f"FBillNo = '{number}'")[0][
            0
        ]
    )


def test_view_uses_orm_names(api: Api, server: SandboxServer) -> None:
    sandbox = server.sandbox
    assert isinstance(sandbox, KingdeeSandbox)
    number = sandbox.universe.contracts[0].number
    view = api.call("View", {"formid": "SAL_SaleOrder", "data": {"Number": number}})["Result"]
    assert view["ResponseStatus"]["IsSuccess"]
    record = view["Result"]
    assert record["BillNo"] == number
    assert record["DocumentStatus"] == "C"
    assert record["CustId"]["Number"] == record["CustId"]["Number"].strip()
    assert record["CustId_Id"] == record["CustId"]["Id"]
    assert record["SaleOrderEntry"][0]["MaterialId"]["Number"].startswith(("SVC", "SW"))


def test_login_failures_and_wrong_data_centre(server: SandboxServer) -> None:
    api = Api(server)
    refused = api.post("AuthService.ValidateUser", {"parameters": api.login_parameters("nope")})
    assert refused["LoginResultType"] == 0
    assert refused["KDSVCSessionId"] is None
    assert "密码错误" in refused["Message"]
    creds = server.credentials()
    named = api.raw(
        "AuthService.ValidateUser",
        data={
            "acctID": creds["acct_id"],
            "username": creds["user_name"],
            "password": creds["password"],
            "lcid": "2052",
        },
    )
    assert named.json()["LoginResultType"] == 1
    assert named.cookies.get("kdservice-sessionid") == named.json()["KDSVCSessionId"]
    identity = SigningIdentity(
        "00000000000000", creds["user_name"], creds["app_id"], creds["app_secret"]
    )
    url = api.base + STUB + "DynamicFormService.ExecuteBillQuery.common.kdsvc"
    wrong = httpx.post(url, headers=signed_headers(identity, url, timestamp=1), json={"data": {}})
    assert wrong.status_code != 200
    assert "Fail to verify thirty passport" in wrong.text
    api.http.close()


def test_sessions_idle_out_on_the_sandbox_clock_and_signed_calls_renew_silently() -> None:
    sandbox = KingdeeSandbox(companies=2, session_ttl=600)
    with SandboxServer(sandbox) as server:
        api = Api(server)
        assert api.query(FormId="BD_Customer", FieldKeys="FNumber")
        sandbox.clock.advance(601)
        lost = api.query(FormId="BD_Customer", FieldKeys="FNumber")
        assert lost[0][0]["Result"]["ResponseStatus"]["MsgCode"] == 1
        c = api.creds
        identity = SigningIdentity(c["acct_id"], c["user_name"], c["app_id"], c["app_secret"])
        url = api.base + STUB + "DynamicFormService.ExecuteBillQuery.common.kdsvc"
        headers = {**signed_headers(identity, url, timestamp=1), "kdservice-sessionid": api.session}
        renewed = httpx.post(
            url, headers=headers, json={"data": {"FormId": "BD_Customer", "FieldKeys": "FNumber"}}
        )
        assert len(renewed.json()) == 2
        assert renewed.cookies.get("kdservice-sessionid") not in (None, api.session)
        api.http.close()


def test_strict_signed_sessions_report_loss_when_the_old_session_is_presented() -> None:
    sandbox = KingdeeSandbox(companies=2, signed_silent_renewal=False)
    with SandboxServer(sandbox) as server:
        c = server.credentials()
        identity = SigningIdentity(c["acct_id"], c["user_name"], c["app_id"], c["app_secret"])
        url = c["base_url"] + STUB + "DynamicFormService.ExecuteBillQuery.common.kdsvc"
        body = {"data": {"FormId": "BD_Customer", "FieldKeys": "FNumber"}}
        first = httpx.post(url, headers=signed_headers(identity, url, timestamp=1), json=body)
        session = first.cookies["kdservice-sessionid"]
        sandbox.expire_credentials()
        stale = {**signed_headers(identity, url, timestamp=2), "kdservice-sessionid": session}
        assert (
            httpx.post(url, headers=stale, json=body).json()[0][0]["Result"]["ResponseStatus"][
                "MsgCode"
            ]
            == 1
        )
        fresh = httpx.post(url, headers=signed_headers(identity, url, timestamp=3), json=body)
        assert len(fresh.json()) == 2


def test_call_limit_answers_msgcode_14_until_the_window_passes() -> None:
    sandbox = KingdeeSandbox(companies=2, call_limit=2, call_window=60)
    sandbox.clock.freeze(datetime.now(UTC))
    with SandboxServer(sandbox) as server:
        api = Api(server)
        assert len(api.query(FormId="BD_Customer", FieldKeys="FNumber")) == 2
        assert len(api.query(FormId="BD_Customer", FieldKeys="FNumber")) == 2
        limited = api.query(FormId="BD_Customer", FieldKeys="FNumber")
        assert limited[0][0]["Result"]["ResponseStatus"]["MsgCode"] == 14
        sandbox.clock.advance(61)
        assert len(api.query(FormId="BD_Customer", FieldKeys="FNumber")) == 2
        api.http.close()


def test_response_error_faults_are_plain_text(api: Api, server: SandboxServer) -> None:
    sandbox = server.sandbox
    assert isinstance(sandbox, KingdeeSandbox)
    sandbox.inject_response_error("BatchSave", message="死锁")
    reply = api.raw(
        "DynamicFormService.BatchSave",
        json={"formid": "BD_Customer", "data": {"Model": []}},
        headers={"kdservice-sessionid": api.session},
    )
    assert reply.status_code == 200
    assert reply.text == "response_error:死锁"
    sandbox.faults.inject("non_json")
    generic = api.raw(
        "DynamicFormService.ExecuteBillQuery",
        json={"data": {}},
        headers={"kdservice-sessionid": api.session},
    )
    assert generic.status_code == 200
    assert generic.text.startswith("response_error:")


def test_seed_renders_the_business_in_kingdee_shapes(server: SandboxServer) -> None:
    sandbox = server.sandbox
    assert isinstance(sandbox, KingdeeSandbox)
    universe = sandbox.universe
    api = Api(server)
    customers = {
        r[0]: r
        for r in api.query(
            FormId="BD_Customer",
            FieldKeys="FNumber,FName,FSOCIALCRECODE,FTAXREGISTERCODE,FDocumentStatus",
        )
    }
    for company in universe.companies:
        assert customers[company.key][1:] == [company.alt_name, company.tax_id, company.tax_id, "C"]
    special = {r[0] for r in api.query(FormId="IV_SALESIC", FieldKeys="FBillNo")}
    normal = {r[0] for r in api.query(FormId="IV_SALESOC", FieldKeys="FBillNo")}
    assert special == {i.number for i in universe.invoices if i.kind == "vat_special"}
    assert normal == {i.number for i in universe.invoices if i.kind == "vat_normal"}
    receivables = api.query(
        FormId="AR_receivable", FieldKeys="FNOTAXAMOUNTFOR,FTAXAMOUNTFOR,FALLAMOUNTFOR"
    )
    assert len(receivables) == len(universe.invoices)
    assert all(net + tax == gross for net, tax, gross in receivables)
    gross = {i.number: i.gross for i in universe.invoices}
    for number, total in api.query(FormId="IV_SALESIC", FieldKeys="FBillNo,FAFTERTOTALTAXFOR"):
        assert total == gross[number]
    receipts = api.query(FormId="AR_RECEIVEBILL", FieldKeys="FBillNo,FRECAMOUNTFOR")
    assert {r[0]: r[1] for r in receipts} == {p.number: p.amount for p in universe.payments}
    orders = {r[0] for r in api.query(FormId="SAL_SaleOrder", FieldKeys="FBillNo")}
    assert {c.number for c in universe.contracts} <= orders
    stamps = api.query(FormId="AR_RECEIVEBILL", FieldKeys="FModifyDate")
    now = datetime.now(UTC)
    assert all(parse_server_datetime(s[0]) < now for s in stamps), "seeded edits lie in the past"
    api.http.close()
