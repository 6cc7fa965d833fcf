"""Admin API for classification rules: read the version in force, publish a new one, dry-run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from complaint_service.auth.dependencies import Authenticated, Reader, require
from complaint_service.auth.scopes import Scope
from complaint_service.core.db import DbSession
from complaint_service.core.problems import Conflict, NotFound, problem_responses
from complaint_service.models import TriageRuleSet
from complaint_service.triage import service as triage_service
from complaint_service.triage.classifier import classify
from complaint_service.triage.rules import RuleSet, load_default_rules
from complaint_service.triage.schemas import ClassifyIn, DecisionOut, MatchOut, RuleSetIn, RuleSetOut

router = APIRouter(prefix="/v1/triage", tags=["triage"])
ADMIN = [require(Scope.admin)]


def _out(rule_set: RuleSet, min_confidence: float, row: TriageRuleSet | None) -> RuleSetOut:
    return RuleSetOut(
        version=rule_set.version,
        min_confidence=min_confidence,
        rules=list(rule_set.rules),
        created_by=row.created_by if row else "shipped defaults",
        created_at=row.created_at if row else None,
    )


@router.get(
    "/rules",
    summary="Get the classification rules in force",
    response_model=RuleSetOut,
    responses=problem_responses(401, 403, 503),
)
async def get_rules(session: DbSession, _: Reader) -> RuleSetOut:
    row = await session.scalar(select(TriageRuleSet).order_by(TriageRuleSet.version.desc()).limit(1))
    rule_set, min_confidence = await triage_service.current_rules(session)
    return _out(rule_set, min_confidence, row)


@router.get(
    "/rules/versions/{version}",
    summary="Get one version of the classification rules",
    description="Timeline entries name the rule version behind each decision; this shows what it said.",
    response_model=RuleSetOut,
    responses=problem_responses(401, 403, 404, 422, 503),
)
async def get_rule_version(
    session: DbSession, _: Reader, version: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> RuleSetOut:
    row = await session.scalar(select(TriageRuleSet).where(TriageRuleSet.version == version))
    if row is not None:
        return _out(RuleSet.from_json({"version": row.version, "rules": row.rules}), row.min_confidence, row)
    default = load_default_rules()
    if version == default.version:
        return _out(default, triage_service.DEFAULT_MIN_CONFIDENCE, None)
    raise NotFound(f"No rule version {version}.")


@router.put(
    "/rules",
    summary="Publish a new version of the classification rules",
    description="Validated as a whole, stored as the next version and in force for the next triage. "
    "Earlier versions stay readable, so past decisions remain explainable.",
    response_model=RuleSetOut,
    status_code=status.HTTP_201_CREATED,
    dependencies=ADMIN,
    responses=problem_responses(401, 403, 409, 422, 503),
)
async def put_rules(session: DbSession, principal: Authenticated, payload: RuleSetIn) -> RuleSetOut:
    stored = await session.scalar(select(func.max(TriageRuleSet.version)))
    version = max(stored or 0, load_default_rules().version) + 1
    rule_set = RuleSet(version=version, rules=tuple(payload.rules))
    row = TriageRuleSet(
        version=version,
        rules=rule_set.to_json()["rules"],
        min_confidence=payload.min_confidence,
        created_by=principal.actor,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("Another rule version was published at the same moment; fetch and retry.") from exc
    await session.refresh(row)
    return _out(rule_set, payload.min_confidence, row)


@router.post(
    "/classify",
    summary="Dry-run the classifier on a text",
    description="Shows the category, urgency, flags and reasons the rules in force would give; "
    "stores nothing.",
    response_model=DecisionOut,
    responses=problem_responses(401, 403, 422, 503),
)
async def dry_run(session: DbSession, _: Reader, payload: ClassifyIn) -> DecisionOut:
    rule_set, min_confidence = await triage_service.current_rules(session)
    decision = classify(payload.text, rules=rule_set, tier=payload.tier, min_confidence=min_confidence)
    return DecisionOut(
        category=decision.category.value,
        urgency=decision.urgency.value,
        confidence=decision.confidence,
        flags=list(decision.flags),
        needs_review=decision.needs_review,
        rule_version=decision.rule_version,
        matches=[
            MatchOut(rule_id=m.rule_id, phrase=m.phrase, start=m.start, end=m.end) for m in decision.matches
        ],
        reasons=list(decision.reasons),
    )
