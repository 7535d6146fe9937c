"""Kingdee K/3 Cloud (金蝶云星空) connector, registered as ``kingdee``."""

from connectors.kingdee.config import FormOverride, KingdeeConfig
from connectors.kingdee.connector import KingdeeConnector

__all__ = ["FormOverride", "KingdeeConfig", "KingdeeConnector"]
