"""Zoho CRM connector: client, streams, connector and a faithful v8 API simulator."""

from connectors.zoho_crm.config import ZohoCrmConfig
from connectors.zoho_crm.connector import ZohoCrmConnector

__all__ = ["ZohoCrmConfig", "ZohoCrmConnector"]
