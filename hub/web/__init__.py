"""The web app: admin console, JSON API and authentication (``create_app``)."""
