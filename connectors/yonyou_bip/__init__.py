"""Yonyou YonBIP / YonSuite connector: signed self-built-app token, gateway discovery, MDD saves."""

from connectors.yonyou_bip.connector import YonyouBipConnector

__all__ = ["YonyouBipConnector"]
