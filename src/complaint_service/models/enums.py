"""Domain vocabularies stored as strings and checked by named constraints."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    email = "email"
    web_form = "web_form"
    app_feedback = "app_feedback"
    live_chat = "live_chat"
    phone_transcript = "phone_transcript"
    sms = "sms"
    wechat = "wechat"
    weibo = "weibo"
    store_visit = "store_visit"
    api = "api"


class ComplaintStatus(StrEnum):
    new = "new"
    triaged = "triaged"
    assigned = "assigned"
    in_progress = "in_progress"
    pending_customer = "pending_customer"
    resolved = "resolved"
    closed = "closed"


class Category(StrEnum):
    product_defect = "product_defect"
    payment_billing = "payment_billing"
    delivery_logistics = "delivery_logistics"
    service_attitude = "service_attitude"
    account_security = "account_security"
    privacy = "privacy"
    product_quality = "product_quality"
    refund_return = "refund_return"
    suggestion = "suggestion"
    other = "other"


class Urgency(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class Department(StrEnum):
    tech = "tech"
    finance = "finance"
    logistics = "logistics"
    customer_service = "customer_service"
    security = "security"
    legal_compliance = "legal_compliance"
    quality = "quality"
    product = "product"


class IdentityKind(StrEnum):
    phone = "phone"
    email = "email"
    wechat_openid = "wechat_openid"
    wechat_unionid = "wechat_unionid"
    weibo_uid = "weibo_uid"
    app_user_id = "app_user_id"
    external_id = "external_id"


class CustomerTier(StrEnum):
    standard = "standard"
    silver = "silver"
    gold = "gold"
    vip = "vip"


class MessageDirection(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class Visibility(StrEnum):
    public = "public"
    internal = "internal"


class ComplaintFlag(StrEnum):
    auto_generated = "auto_generated"
    no_auto_reply = "no_auto_reply"
    needs_review = "needs_review"
    repeat = "repeat"
    suspected_abuse = "suspected_abuse"
    second_handling = "second_handling"


class LinkKind(StrEnum):
    """Read as "<complaint> is <kind> <related complaint>"."""

    related = "related"
    duplicate = "duplicate"
    repeat_of = "repeat_of"
    follow_up = "follow_up"


class MergeReason(StrEnum):
    order_id = "order_id"
    similar_text = "similar_text"
    manual = "manual"


def sql_in(enum: type[StrEnum]) -> str:
    """The body of a CHECK constraint listing an enum's values."""
    return ", ".join(f"'{member.value}'" for member in enum)


class AssignmentStrategy(StrEnum):
    round_robin = "round_robin"
    least_loaded = "least_loaded"


class AgentStatus(StrEnum):
    active = "active"
    away = "away"


class AgentRole(StrEnum):
    """Ordered by reach: each role can do what the ones before it can."""

    agent = "agent"
    team_lead = "team_lead"
    supervisor = "supervisor"
    manager = "manager"
    admin = "admin"


class ClockKind(StrEnum):
    first_response = "first_response"
    next_response = "next_response"
    periodic_update = "periodic_update"
    resolution = "resolution"
    # A collaboration request's answer deadline: it runs on the complaint's timers, not on its policy.
    collaboration = "collaboration"


# The promises made to the customer, which SLA policies set and the complaint's lifecycle moves.
COMPLAINT_CLOCKS = (
    ClockKind.first_response,
    ClockKind.next_response,
    ClockKind.periodic_update,
    ClockKind.resolution,
)


class ClockState(StrEnum):
    running = "running"
    paused = "paused"
    met = "met"
    cancelled = "cancelled"


class ResolutionCode(StrEnum):
    solved = "solved"
    compensated = "compensated"
    explained = "explained"
    no_fault_found = "no_fault_found"
    duplicate = "duplicate"
    merged = "merged"
    abuse = "abuse"
    withdrawn = "withdrawn"
    no_response = "no_response"
    incident_resolved = "incident_resolved"


class ActionKind(StrEnum):
    warning = "warning"
    breach = "breach"
    escalation = "escalation"


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    dead = "dead"


OPEN_STATUSES = (
    ComplaintStatus.new,
    ComplaintStatus.triaged,
    ComplaintStatus.assigned,
    ComplaintStatus.in_progress,
    ComplaintStatus.pending_customer,
)


class SurveyStatus(StrEnum):
    pending = "pending"
    answered = "answered"
    superseded = "superseded"


class CompensationKind(StrEnum):
    coupon = "coupon"
    refund = "refund"
    points = "points"
    gift = "gift"


class CompensationStatus(StrEnum):
    offered = "offered"
    pending_approval = "pending_approval"
    approved = "approved"
    rejected = "rejected"
    granted = "granted"
    cancelled = "cancelled"
