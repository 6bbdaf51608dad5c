"""What routes receive: the service, and the API-key checks."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from qa.service import Service

_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Set by QA_API_KEY.")


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def _check_key(service: Service, given: str | None) -> None:
    expected = service.settings.api_key
    if expected is None:
        return
    # constant time, so the key cannot be guessed a character at a time from timings
    if given is None or not secrets.compare_digest(
        given.encode(), expected.get_secret_value().encode()
    ):
        raise HTTPException(401, "missing or wrong X-API-Key header")


def require_key(service: ServiceDep, key: str | None = Security(_key_header)) -> None:
    """The X-API-Key check, attached to the writes (and to the reads with
    QA_API_KEY_READS) by ``create_app``."""
    _check_key(service, key)
