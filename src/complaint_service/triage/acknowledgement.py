"""The automatic acknowledgement: the reference, and when the customer will hear back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from complaint_service.models import Complaint, Department
from complaint_service.outbound import service as outbound_service
from complaint_service.sla.calendar import BusinessCalendar

TEMPLATES = {
    "zh-Hans": (
        "您好，您的投诉已收到（编号 {reference}）。我们将在 {due} 前给您答复。",
        "您好，您的投诉已收到（编号 {reference}）。现在是非工作时间，"
        "我们将于 {opens} 开始处理，并在 {due} 前给您答复。",
    ),
    "zh-Hant": (
        "您好，您的投訴已收到（編號 {reference}）。我們將在 {due} 前給您答覆。",
        "您好，您的投訴已收到（編號 {reference}）。現在是非工作時間，"
        "我們將於 {opens} 開始處理，並在 {due} 前給您答覆。",
    ),
    "en": (
        "We have received your complaint (reference {reference}). You will hear from us by {due}.",
        "We have received your complaint (reference {reference}). We are closed right now; we will handle it "
        "from {opens} and you will hear from us by {due}.",
    ),
}

_TRADITIONAL_SUBTAGS = frozenset({"hant", "tw", "hk", "mo"})


def template_language(tag: str | None) -> str:
    """Adapters pass locales as they come (zh-CN, zh_TW, en-US): pick by script or region, else English."""
    primary, *rest = (tag or "").replace("_", "-").lower().split("-")
    if primary != "zh":
        return "en"
    return "zh-Hant" if "hans" not in rest and _TRADITIONAL_SUBTAGS & set(rest) else "zh-Hans"


def render(complaint: Complaint, calendar: BusinessCalendar, now: datetime) -> tuple[str, bool]:
    """Text in the customer's language, and whether it is the after-hours variant."""
    tz = ZoneInfo(calendar.timezone)
    open_text, closed_text = TEMPLATES[template_language(complaint.language)]
    due = complaint.first_response_due_at or now
    fmt = "%Y-%m-%d %H:%M"
    values = {"reference": complaint.reference, "due": due.astimezone(tz).strftime(fmt)}
    if calendar.is_open(now):
        return open_text.format(**values), False
    opens = calendar.next_open(now).astimezone(tz).strftime(fmt)
    return closed_text.format(**values, opens=opens), True


async def send_many(
    session: AsyncSession, *, items: Sequence[tuple[Complaint, Department]], now: datetime
) -> None:
    """Acknowledge each complaint by its department's hours (a batch of triaged complaints at once)."""
    outgoing = []
    for complaint, department in items:
        body, after_hours = render(complaint, BusinessCalendar.from_spec(department.calendar), now)
        kind = "after_hours_acknowledgement" if after_hours else "acknowledgement"
        outgoing.append(outbound_service.Outgoing(complaint, body, kind, author="system", automatic=True))
    await outbound_service.send_to_customers(session, outgoing)
