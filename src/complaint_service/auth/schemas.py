"""Sign-in bodies and the signed-in person's profile."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from complaint_service.core.schemas import Schema
from complaint_service.models.enums import AgentStatus


class SignIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": "li.na@example.com", "password": "correct horse battery"}]},
    )

    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class Availability(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "away"}]})

    status: AgentStatus


class Me(Schema):
    kind: str = Field(description="`person` or `api_key`.", examples=["person"])
    id: str = Field(description="Person id, or API key id.")
    name: str
    role: str | None = Field(description="Null for API keys, which act by scope.")
    departments: list[str] = Field(
        description="Whose complaints a person sees; all if `sees_all_departments`."
    )
    sees_all_departments: bool
    scopes: list[str]


class AccessToken(Schema):
    access_token: str = Field(description="Send as `Authorization: Bearer …`.")
    token_type: str = Field(examples=["Bearer"])
    expires_in: int = Field(description="Seconds until it expires; sign in again then.", examples=[900])
    person_id: uuid.UUID
    me: Me


ME_EXAMPLE = {
    "kind": "person",
    "id": "0193a5c2-7f31-7000-8000-2b3c4d5e6f70",
    "name": "李娜",
    "role": "agent",
    "departments": ["customer_service", "finance"],
    "sees_all_departments": False,
    "scopes": ["complaints:read"],
}
TOKEN_EXAMPLE = {
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkzYTVjMiJ9.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900,
    "person_id": ME_EXAMPLE["id"],
    "me": ME_EXAMPLE,
}
