"""Knowledge-base bodies: writing a solution, reading it, and suggestions for a complaint."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from complaint_service.complaints.commands import Tag, Text
from complaint_service.core.schemas import Schema
from complaint_service.models import Solution
from complaint_service.models.enums import Category

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _unique(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


Tags = Annotated[list[Tag], Field(max_length=20), AfterValidator(_unique)]
EXAMPLE_IN: dict[str, Any] = {
    "title": "支付成功但订单未生成",
    "body": "1. 在支付渠道后台按商户单号核实扣款；2. 扣款成功则补单或原路退款（1–3 个工作日到账）；"
    "3. 回复客户处理结果并附退款流水号。",
    "category": "payment_billing",
    "tags": ["支付", "掉单", "退款"],
}


class SolutionIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_IN]})

    title: Title = Field(description="The problem it solves, in the customer's words: search weighs it most.")
    body: Text = Field(description="How to solve it.")
    category: Category | None = None
    tags: Tags = Field(default_factory=list)


class SolutionPatch(Schema):
    """Only the fields sent change; `category: null` clears the category."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"tags": ["支付", "掉单", "退款", "補單"]}]}
    )

    title: Title | None = None
    body: Text | None = None
    category: Category | None = None
    tags: Tags | None = None


class SolutionOut(Schema):
    id: uuid.UUID
    title: str
    body: str
    category: str | None
    tags: list[str]
    usage_count: int = Field(description="Replies that used this solution.")
    author: str = Field(examples=["user:0193a5c2-7f31-7000-8000-2b3c4d5e6f70"])
    author_id: uuid.UUID | None
    updated_by: str
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Also the `ETag`; send it as `If-Match` when you edit the solution.")


class SolutionHit(SolutionOut):
    score: float | None = Field(
        description="Search relevance 0–1 (share of the query's character n-grams found, the title "
        "weighing extra); null when listing without `q`."
    )

    @classmethod
    def build(cls, solution: Solution, score: float | None) -> SolutionHit:
        return cls.model_validate({**SolutionOut.model_validate(solution).model_dump(), "score": score})


class SuggestedSolution(Schema):
    id: uuid.UUID
    title: str
    category: str | None
    tags: list[str]
    usage_count: int
    score: float = Field(description="Similarity 0–1 to the complaint, same-category solutions boosted.")
    same_category: bool


class SimilarComplaint(Schema):
    id: uuid.UUID
    reference: str
    category: str | None
    department: str | None
    status: str
    score: float = Field(description="Similarity 0–1 of the two complaints' texts, same category boosted.")
    resolution_code: str | None
    resolution_summary: str | None = Field(description="Masked unless the caller has `pii:read`.")
    resolved_at: datetime | None


class Suggestions(Schema):
    solutions: list[SuggestedSolution]
    complaints: list[SimilarComplaint] = Field(
        description="Resolved complaints like this one that the caller may see, and what resolved them."
    )
