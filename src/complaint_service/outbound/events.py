"""The event types subscribers can choose; outbound customer messages are routed by channel instead."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    complaint_created = "complaint.created"
    complaint_triaged = "complaint.triaged"
    complaint_assigned = "complaint.assigned"
    complaint_queued = "complaint.queued"
    sla_warning = "sla.warning"
    sla_breached = "sla.breached"
    complaint_escalated = "complaint.escalated"
    complaint_resolved = "complaint.resolved"
    message_sent = "message.sent"
    webhook_dead_lettered = "webhook.dead_lettered"
    all = "*"


# Not subscribable: endpoints receive it because their `channels` include the complaint's channel.
MESSAGE_OUTBOUND = "message.outbound"
