"""ZenTao (禅道) connector: REST API v1 with token login, and its sandbox."""

from connectors.zentao.connector import ZentaoConnector

__all__ = ["ZentaoConnector"]
