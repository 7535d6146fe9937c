"""Fidelity: Zoho's own Python SDK (zohocrmsdk8-0), unchanged, lists accounts from the sandbox.

The SDK is pointed at the sandbox the way it is pointed at any data centre: an
``Environment`` naming the API host and the accounts server's token URL. It then
does what it does against Zoho: refreshes the token, asks who the user is,
reads the org and the field metadata, and lists records, parsing every body
with its own models.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store import FileStore
from zohocrmsdk.src.com.zoho.crm.api import HeaderMap, ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.record import (
    GetRecordsParam,
    RecordOperations,
    ResponseWrapper,
)
from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig

from connectors.sdk.sandbox import SandboxServer
from connectors.zoho_crm.sandbox import ZohoCrmSandbox


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(ZohoCrmSandbox(seed=3, companies=230)) as running:
        yield running


def test_official_sdk_lists_every_account(server: SandboxServer, tmp_path: Path) -> None:
    creds = server.credentials()
    environment = DataCenter.Environment(
        creds["base_url"], f"{creds['accounts_url']}/oauth/v2/token", creds["base_url"]
    )
    token = OAuthToken(
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        refresh_token=creds["refresh_token"],
    )
    Initializer.initialize(
        environment=environment,
        token=token,
        store=FileStore(str(tmp_path / "tokens.txt")),
        sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=False),
        resource_path=str(tmp_path),
    )
    names: dict[str, str] = {}
    page = 1
    while True:
        params = ParameterMap()
        params.add(GetRecordsParam.fields, "Account_Name,Tax_ID,Modified_Time")
        params.add(GetRecordsParam.per_page, 200)
        params.add(GetRecordsParam.page, page)
        response = RecordOperations("Accounts").get_records(params, HeaderMap())
        assert response.get_status_code() == 200
        body = response.get_object()
        assert isinstance(body, ResponseWrapper), body
        for record in body.get_data():
            names[str(record.get_id())] = record.get_key_value("Tax_ID")
        if not body.get_info().get_more_records():
            break
        page += 1
    expected = server.sandbox.remote_ids("accounts")
    assert len(expected) == 230
    assert set(names) == expected
    sample = next(iter(expected))
    assert names[sample] == server.sandbox.get_record("accounts", sample)["Tax_ID"]  # type: ignore[index]
    hits = server.sandbox.requests
    assert hits[("POST", "/oauth/v2/token")] == 1
    assert hits[("GET", "/crm/v8/Accounts")] == 2
