"""Signing in with e-mail and password, and who the current credential belongs to."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request
from redis.exceptions import RedisError

from complaint_service.auth import people, tokens
from complaint_service.auth.dependencies import Authenticated
from complaint_service.auth.schemas import ME_EXAMPLE, TOKEN_EXAMPLE, AccessToken, Availability, Me, SignIn
from complaint_service.auth.scopes import Principal
from complaint_service.core.db import DbSession
from complaint_service.core.openapi import example_response
from complaint_service.core.problems import Forbidden, TooManyRequests, Unauthorized, problem_responses
from complaint_service.core.state import AppSettings
from complaint_service.routing import admin as routing_admin
from complaint_service.routing.schemas import AgentUpdate

router = APIRouter(prefix="/v1/auth", tags=["auth"])
log = structlog.get_logger(__name__)
# Failed sign-ins per e-mail in the window before further attempts are refused: slows guessing.
MAX_FAILURES = 10
FAILURE_WINDOW_SECONDS = 900


def _failures_key(email: str) -> str:
    return f"complaint-service:sign-in-failures:{email.strip().lower()}"


async def _throttle(request: Request, email: str) -> None:
    """Fails open when Redis is down: sign-in must not depend on the fast path."""
    try:
        failures = await request.app.state.redis.get(_failures_key(email))
    except (RedisError, OSError):
        return
    if failures is not None and int(failures) >= MAX_FAILURES:
        raise TooManyRequests(
            "Too many failed sign-ins for this account; try again later.",
            headers={"Retry-After": str(FAILURE_WINDOW_SECONDS)},
        )


async def _count_failure(request: Request, email: str) -> None:
    try:
        async with request.app.state.redis.pipeline(transaction=True) as pipe:
            await (
                pipe.incr(_failures_key(email)).expire(_failures_key(email), FAILURE_WINDOW_SECONDS).execute()
            )
    except (RedisError, OSError) as exc:
        log.warning("sign_in.throttle_unavailable", error=type(exc).__name__)


def me_of(principal: Principal) -> Me:
    return Me(
        kind="person" if principal.user_id else "api_key",
        id=principal.key_id,
        name=principal.name,
        role=principal.role.value if principal.role else None,
        departments=sorted(principal.departments),
        sees_all_departments=principal.sees_all_departments,
        scopes=sorted(principal.scopes),
    )


@router.post(
    "/token",
    summary="Sign in and get an access token",
    description="Exchanges a person's e-mail and password for a short-lived access token (a JWT). "
    "Ten failed attempts for one e-mail within 15 minutes lock further attempts for that e-mail for "
    "15 minutes (429). People managed by an identity provider sign in there and send its tokens instead.",
    response_model=AccessToken,
    responses={**example_response(TOKEN_EXAMPLE), **problem_responses(401, 422, 429, 503)},
)
async def sign_in(request: Request, session: DbSession, settings: AppSettings, body: SignIn) -> AccessToken:
    await _throttle(request, body.email)
    person = await people.sign_in(session, email=body.email, password=body.password)
    if person is None:
        await _count_failure(request, body.email)
        raise Unauthorized("Unknown e-mail, wrong password, or the account is disabled.")
    issued = tokens.issue(
        settings, request.app.state.jwt_key, user_id=person.id, role=person.role, name=person.name
    )
    return AccessToken(
        access_token=issued.token,
        token_type="Bearer",  # noqa: S106 - the scheme name, not a secret
        expires_in=issued.expires_in,
        person_id=person.id,
        me=me_of(people.principal_for(person)),
    )


@router.patch(
    "/me",
    summary="Go active or away",
    description="A person sets their own availability: `away` takes them out of automatic assignment, "
    "`active` lets queued complaints of their departments reach them at once.",
    response_model=Me,
    responses={**example_response(ME_EXAMPLE), **problem_responses(401, 403, 422, 503)},
)
async def update_me(session: DbSession, principal: Authenticated, body: Availability) -> Me:
    if principal.user_id is None:
        raise Forbidden("API keys have no availability; sign in as a person.")
    person = await routing_admin.get_agent(session, agent_id=principal.user_id)
    assert person is not None  # authenticated just now, in this transaction
    await routing_admin.update_agent(
        session, agent=person, changes=AgentUpdate(status=body.status), if_match=None
    )
    return me_of(principal)


@router.get(
    "/me",
    summary="Who am I",
    description="The person or API key behind the credential, with the role, departments and scopes "
    "that decide what it may see and do. A frontend uses it to shape its menus.",
    response_model=Me,
    responses={**example_response(ME_EXAMPLE), **problem_responses(401, 503)},
)
async def get_me(principal: Authenticated) -> Me:
    return me_of(principal)
