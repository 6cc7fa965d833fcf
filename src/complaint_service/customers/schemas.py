"""Read model of a customer with their identities and complaints."""

from __future__ import annotations

import uuid
from datetime import datetime

from complaint_service.complaints.schemas import ComplaintOut
from complaint_service.core.schemas import Schema
from complaint_service.models import CustomerIdentity
from complaint_service.pii.mask import mask_identity


class IdentityOut(Schema):
    kind: str
    value: str
    created_at: datetime

    @classmethod
    def build(cls, identity: CustomerIdentity, *, reveal_pii: bool) -> IdentityOut:
        value = identity.value if reveal_pii else mask_identity(identity.kind, identity.value)
        return cls(kind=identity.kind, value=value, created_at=identity.created_at)


class CustomerOut(Schema):
    id: uuid.UUID
    display_name: str | None
    tier: str
    created_at: datetime
    identities: list[IdentityOut]
    complaints: list[ComplaintOut]
    complaints_next_cursor: str | None
