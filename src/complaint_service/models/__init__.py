"""All ORM models, imported here so Alembic's metadata is complete."""

from complaint_service.models.api_key import ApiKey
from complaint_service.models.complaint import Complaint
from complaint_service.models.customer import Customer, CustomerIdentity
from complaint_service.models.event import Event
from complaint_service.models.message import Message

__all__ = ["ApiKey", "Complaint", "Customer", "CustomerIdentity", "Event", "Message"]
