"""All ORM models, imported here so Alembic's metadata is complete."""

from complaint_service.models.agent import Agent
from complaint_service.models.api_key import ApiKey
from complaint_service.models.complaint import Complaint
from complaint_service.models.customer import Customer, CustomerIdentity
from complaint_service.models.department import Department
from complaint_service.models.event import Event
from complaint_service.models.message import Message
from complaint_service.models.rules import RoutingRule, TriageRuleSet
from complaint_service.models.sla import SlaAction, SlaClock, SlaPolicy
from complaint_service.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Agent",
    "ApiKey",
    "Complaint",
    "Customer",
    "CustomerIdentity",
    "Department",
    "Event",
    "Message",
    "RoutingRule",
    "SlaAction",
    "SlaClock",
    "SlaPolicy",
    "TriageRuleSet",
    "WebhookDelivery",
    "WebhookEndpoint",
]
