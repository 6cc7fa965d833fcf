"""OpenAPI examples, built through the response models so they cannot drift from them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from complaint_service.analytics import figures
from complaint_service.analytics.schemas import (
    Backlog,
    BacklogRow,
    Breakdown,
    BreakdownRow,
    PeriodOut,
    Ratio,
    Summary,
    Targets,
    TimePoint,
    Timeseries,
)
from complaint_service.settings import KpiTargets

_ZONE = ZoneInfo("Asia/Shanghai")
_FROM = datetime(2026, 11, 1, tzinfo=_ZONE)
_TO = datetime(2026, 12, 1, tzinfo=_ZONE)
_NOW = datetime(2026, 12, 1, 9, 30, tzinfo=_ZONE)
_PERIOD = PeriodOut(from_=_FROM, to=_TO, timezone="Asia/Shanghai")
_COMPLAINTS = {
    "volume": 1240,
    "resolved_unreopened": 1031,
    "response_due": 1225,
    "response_met": 1172,
    "answered_with_target": 1230,
    "answered_met": 1176,
    "resolved_with_target": 1090,
    "resolved_met": 1012,
    "fr_wall_n": 1230,
    "fr_wall_avg": 6120.5,
    "fr_wall_pct": [3300.0, 14400.0],
    "fr_business_n": 1230,
    "fr_business_avg": 4410.0,
    "fr_business_pct": [2700.0, 10800.0],
    "res_wall_n": 1094,
    "res_wall_avg": 151200.0,
    "res_wall_pct": [93600.0, 302400.0],
    "res_business_n": 1094,
    "res_business_avg": 61200.0,
    "res_business_pct": [43200.0, 129600.0],
    "repeats": 161,
    "reopened": 37,
    "resolved_once": 1068,
    "abuse": 12,
    "escalated": 58,
    "resolved_customers": 1002,
    "converted_customers": 214,
}
_SURVEYS = {"answered": 412, "score_avg": 4.31, "satisfied": 371, "sent": 1005, "sent_answered": 409}
_FIGURES = figures.build({**_COMPLAINTS, **_SURVEYS})


def _dump(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return dumped


SUMMARY = _dump(
    Summary(
        period=_PERIOD,
        generated_at=_NOW,
        figures=_FIGURES,
        backlog=Backlog(
            total=96,
            by_status=[
                BacklogRow(status="new", total=2, under_4h=2, from_4h_to_24h=0, from_1d_to_3d=0, over_3d=0),
                BacklogRow(
                    status="triaged", total=9, under_4h=7, from_4h_to_24h=2, from_1d_to_3d=0, over_3d=0
                ),
                BacklogRow(
                    status="assigned", total=21, under_4h=8, from_4h_to_24h=9, from_1d_to_3d=4, over_3d=0
                ),
                BacklogRow(
                    status="in_progress", total=48, under_4h=6, from_4h_to_24h=17, from_1d_to_3d=19, over_3d=6
                ),
                BacklogRow(
                    status="pending_customer",
                    total=16,
                    under_4h=0,
                    from_4h_to_24h=3,
                    from_1d_to_3d=8,
                    over_3d=5,
                ),
            ],
        ),
        targets=Targets.model_validate(KpiTargets().model_dump()),
    )
)

BREAKDOWN = _dump(
    Breakdown(
        period=_PERIOD,
        by="agent",
        generated_at=_NOW,
        items=[
            BreakdownRow(key="0193a5c2-7f31-7000-8000-2b3c4d5e6f70", label="李娜", open=14, figures=_FIGURES)
        ],
    )
)

TIMESERIES = _dump(
    Timeseries(
        period=PeriodOut(from_=_FROM, to=_FROM + timedelta(days=1), timezone="Asia/Shanghai"),
        bucket="day",
        generated_at=_NOW,
        points=[
            TimePoint(
                start=_FROM,
                received=41,
                first_answered=39,
                resolved=35,
                response_rate=Ratio.of(38, 40),
                sla_first_response=Ratio.of(37, 39),
                sla_resolution=Ratio.of(33, 35),
                first_response_median_business_seconds=2640.0,
                resolution_median_business_seconds=41400.0,
            )
        ],
    )
)
