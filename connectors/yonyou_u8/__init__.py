"""Yonyou U8 OpenAPI connector: token, account parameters in the query, async adds with biz_id."""

from connectors.yonyou_u8.connector import YonyouU8Connector

__all__ = ["YonyouU8Connector"]
