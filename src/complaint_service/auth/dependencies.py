"""FastAPI dependencies that authenticate the bearer credential and check scopes and roles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from complaint_service.auth import people, tokens
from complaint_service.auth import service as auth_service
from complaint_service.auth.keys import TOKEN_PREFIX
from complaint_service.auth.scopes import Principal, Role, Scope
from complaint_service.core.db import DbSession
from complaint_service.core.problems import Forbidden, Unauthorized
from complaint_service.core.state import AppSettings

bearer = HTTPBearer(
    auto_error=False,
    description="An API key (`cs_…`) or a person's access token (JWT) as `Authorization: Bearer …`.",
)


async def _person(request: Request, session: DbSession, settings: AppSettings, token: str) -> Principal:
    try:
        issuer = tokens.unverified_issuer(token)
        if issuer == settings.auth.issuer:
            claims = tokens.verify_local(settings, request.app.state.jwt_key, token)
            person = await people.person_for_local_token(session, claims)
        elif request.app.state.jwks is not None:
            claims = await tokens.verify_external(settings, request.app.state.jwks, token)
            person = await people.person_for_external_token(session, claims, settings.auth)
        else:
            raise tokens.InvalidToken("issuer not trusted")
    except tokens.InvalidToken as exc:
        raise Unauthorized(f"The access token is not valid: {exc}.") from exc
    if person is None:
        raise Unauthorized("The account behind this token is unknown or disabled.")
    return people.principal_for(person)


async def optional_principal(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    if credentials is None:
        return None
    token = credentials.credentials
    if token.startswith(TOKEN_PREFIX):
        principal = await auth_service.resolve_token(session, token=token)
        if principal is None:
            raise Unauthorized("The API key is unknown or revoked.")
    else:
        principal = await _person(request, session, settings, token)
    request.state.principal = principal
    return principal


async def current_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthorized("Send an API key or access token as `Authorization: Bearer …`.")
    return principal


def require(scope: Scope) -> Any:
    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has(scope):
            raise Forbidden(f"This operation needs the `{scope.value}` scope.")
        return principal

    return Depends(check)


def require_role(role: Role) -> Any:
    """People need the role or above; API keys pass only with `admin`."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.at_least(role):
            raise Forbidden(f"This operation needs the `{role.value}` role or above.")
        return principal

    return Depends(check)


Authenticated = Annotated[Principal, Depends(current_principal)]
Reader = Annotated[Principal, require(Scope.complaints_read)]
TeamLead = Annotated[Principal, require_role(Role.team_lead)]
Supervisor = Annotated[Principal, require_role(Role.supervisor)]
Admin = Annotated[Principal, require(Scope.admin)]
