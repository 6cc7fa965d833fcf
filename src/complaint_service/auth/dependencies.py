"""FastAPI dependencies that authenticate the bearer API key and check scopes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from complaint_service.auth import service as auth_service
from complaint_service.auth.scopes import Principal, Scope
from complaint_service.core.db import DbSession
from complaint_service.core.problems import Forbidden, Unauthorized

bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer cs_…`")


async def optional_principal(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    if credentials is None:
        return None
    principal = await auth_service.resolve_token(session, token=credentials.credentials)
    if principal is None:
        raise Unauthorized("The API key is unknown or revoked.")
    request.state.principal = principal
    return principal


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthorized("Send an API key as `Authorization: Bearer …`.")
    return principal


def require(scope: Scope) -> Any:
    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has(scope):
            raise Forbidden(f"This operation needs the `{scope.value}` scope.")
        return principal

    return Depends(check)


Authenticated = Annotated[Principal, Depends(current_principal)]
ReaderKey = Annotated[Principal, require(Scope.complaints_read)]
AdminKey = Annotated[Principal, require(Scope.admin)]
