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
    complaint_merged = "complaint.merged"
    complaint_unmerged = "complaint.unmerged"
    complaint_repeat = "complaint.repeat"
    message_sent = "message.sent"
    webhook_dead_lettered = "webhook.dead_lettered"
    alert_raised = "alert.raised"
    incident_opened = "incident.opened"
    incident_updated = "incident.updated"
    incident_resolved = "incident.resolved"
    collaboration_requested = "collaboration.requested"
    collaboration_answered = "collaboration.answered"
    collaboration_declined = "collaboration.declined"
    collaboration_cancelled = "collaboration.cancelled"
    collaboration_warning = "collaboration.warning"
    collaboration_breached = "collaboration.breached"
    survey_answered = "survey.answered"
    complaint_second_handling = "complaint.second_handling"
    compensation_offered = "compensation.offered"
    compensation_approved = "compensation.approved"
    compensation_rejected = "compensation.rejected"
    compensation_granted = "compensation.granted"
    compensation_cancelled = "compensation.cancelled"
    customer_tier_changed = "customer.tier_changed"
    all = "*"


# Not subscribable: endpoints receive it because their `channels` include the complaint's channel.
MESSAGE_OUTBOUND = "message.outbound"
