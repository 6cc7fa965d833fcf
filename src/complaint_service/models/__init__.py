"""All ORM models, imported here so Alembic's metadata is complete."""

from complaint_service.models.abuse import AbuseReview, SenderBlock
from complaint_service.models.agent import Agent
from complaint_service.models.alert import Alert
from complaint_service.models.analytics import CustomerActivity, CustomerEvent
from complaint_service.models.api_key import ApiKey
from complaint_service.models.audit import PiiAccess
from complaint_service.models.collaboration import CollaborationRequest
from complaint_service.models.compensation import Compensation
from complaint_service.models.complaint import Complaint
from complaint_service.models.customer import Customer, CustomerIdentity
from complaint_service.models.department import Department
from complaint_service.models.event import Event
from complaint_service.models.incident import (
    Incident,
    IncidentComplaint,
    IncidentEvent,
    IncidentNotice,
    IncidentUpdate,
)
from complaint_service.models.knowledge import Solution
from complaint_service.models.matter import ComplaintLink, ComplaintMerge
from complaint_service.models.message import Message
from complaint_service.models.rules import RoutingRule, TriageRuleSet
from complaint_service.models.sla import SlaAction, SlaClock, SlaPolicy
from complaint_service.models.survey import Survey
from complaint_service.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AbuseReview",
    "Agent",
    "Alert",
    "ApiKey",
    "CollaborationRequest",
    "Compensation",
    "Complaint",
    "ComplaintLink",
    "ComplaintMerge",
    "Customer",
    "CustomerActivity",
    "CustomerEvent",
    "CustomerIdentity",
    "Department",
    "Event",
    "Incident",
    "IncidentComplaint",
    "IncidentEvent",
    "IncidentNotice",
    "IncidentUpdate",
    "Message",
    "PiiAccess",
    "RoutingRule",
    "SenderBlock",
    "SlaAction",
    "SlaClock",
    "SlaPolicy",
    "Solution",
    "Survey",
    "TriageRuleSet",
    "WebhookDelivery",
    "WebhookEndpoint",
]
