"""Alert bodies of the API and of the `alert.raised` webhook."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from complaint_service.core.schemas import Schema
from complaint_service.models.alert import AlertDimension


class AlertOut(Schema):
    id: uuid.UUID
    dimension: AlertDimension = Field(description="Which complaint field spiked.")
    value: str = Field(description="The category, product SKU or app version that spiked.")
    window_start: datetime = Field(description="Start of the first window in which the spike was seen.")
    window_end: datetime = Field(description="End of the latest window in which the spike was still seen.")
    count: int = Field(description="Most complaints counted in one window of this spike.")
    baseline_mean: float = Field(description="Mean complaints per window over the baseline windows.")
    baseline_stddev: float = Field(description="Their population standard deviation.")
    threshold: float = Field(description="mean + k·stddev when raised; the count exceeded it.")
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None = Field(description="`user:<id>` of the supervisor who acknowledged it.")
