"""The HTTP API: FastAPI routes over ``qa.service.Service``."""

from qa.api.app import create_app

__all__ = ["create_app"]
