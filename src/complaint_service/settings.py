"""One validated configuration, read from `COMPLAINT_*` variables (and `.env`)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class LogFormat(StrEnum):
    json = "json"
    console = "console"


class WeChatAccount(BaseModel):
    """The official account that pushes to `/v1/channels/wechat/complaints`."""

    token: SecretStr | None = None
    encoding_aes_key: SecretStr | None = None
    app_id: str | None = None
    # WeChat gives up after 5 s and retries; reject pushes whose timestamp is older than this.
    max_clock_skew_seconds: int = 300

    @field_validator("encoding_aes_key")
    @classmethod
    def _aes_key_length(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) != 43:
            raise ValueError("EncodingAESKey is 43 characters long")
        return value


class WorkerConfig(BaseModel):
    queue_name: str = Field(
        default="complaint-service:queue", description="Separates deployments sharing a Redis."
    )
    max_jobs: int = Field(
        default=100,
        ge=1,
        description=(
            "Jobs a worker process runs at once. Triage jobs waiting for their batch hold no database "
            "connection, and jobs that hold one through slow I/O (webhook deliveries) share the pool's "
            "spare connections, so this can be well above the pool size."
        ),
    )
    batch_max_size: int = Field(
        default=50,
        ge=1,
        le=500,
        description="Most triage jobs sharing one unit of work (max_jobs running at once bounds it too).",
    )
    batch_concurrency: int = Field(
        default=1, ge=1, le=8, description="Triage batches a worker process runs at once."
    )
    batch_linger_seconds: float = Field(
        default=0.02,
        ge=0,
        le=0.5,
        description=(
            "An idle batcher waits this long for more jobs before it starts a batch. A batch has a fixed "
            "cost (about 7 ms of CPU and a dozen statements), so under a steady load batches of one or "
            "two would spend most of the box on it; waiting 20 ms lets them grow with the load."
        ),
    )
    job_timeout_seconds: int = 60
    max_tries: int = 5
    poll_delay_seconds: float = Field(
        default=0.02, gt=0, description="How often an idle worker asks Redis for due jobs (the pickup delay)."
    )
    shutdown_grace_seconds: int = 25
    reconcile_every_seconds: int = Field(default=5, ge=1, le=60)
    triage_grace_seconds: int = Field(default=5, ge=0, description="Untriaged this long: re-enqueue.")
    timer_lookahead_seconds: int = Field(
        default=10, ge=0, description="Reconciler schedules timers due this soon."
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Serve the worker's Prometheus metrics on this port; unset: not served. Each worker "
        "process needs a port of its own.",
    )
    metrics_host: str = Field(
        default="127.0.0.1", description="Address the worker's metrics listen on (0.0.0.0 in a container)."
    )

    @model_validator(mode="after")
    def _lookahead_covers_a_period(self) -> Self:
        """Timers due later than the look-ahead are scheduled only by the sweep: it must see them in time."""
        if self.timer_lookahead_seconds < 2 * self.reconcile_every_seconds:
            raise ValueError("timer_lookahead_seconds must be at least twice reconcile_every_seconds")
        return self


class OutboundConfig(BaseModel):
    timeout_seconds: float = 10.0
    retry_window_seconds: int = Field(default=24 * 3600, description="Retry this long, then dead-letter.")
    backoff_base_seconds: float = 2.0
    backoff_cap_seconds: float = 600.0
    user_agent: str = "complaint-service-webhooks/1"
    message_id_domain: str = Field(
        default="complaints.invalid", description="Right side of the Message-IDs given to outbound messages."
    )


class AuthConfig(BaseModel):
    """People's bearer tokens: our own short-lived JWTs, or an identity provider's checked on its JWKS."""

    jwt_secret: SecretStr | None = Field(
        default=None,
        description="HS256 key for the tokens we issue; shared by every API replica. Unset in "
        "development: a random one is kept in data_dir.",
    )
    issuer: str = "complaint-service"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=24 * 3600)
    jwks_url: str | None = Field(default=None, description="An identity provider's JWKS; unset: none.")
    jwks_issuer: str | None = None
    jwks_audience: str | None = None
    jwks_cache_seconds: int = 600
    role_claim: str = "roles"
    departments_claim: str = "departments"
    name_claim: str = "name"
    email_claim: str = "email"
    role_map: dict[str, str] = Field(
        default_factory=dict,
        description='Identity provider role names to ours, e.g. {"cs-lead": "team_lead"}; '
        "unmapped names that equal one of ours are taken as is.",
    )


class LifecycleConfig(BaseModel):
    auto_close_after_hours: float = Field(
        default=72, gt=0, description="Resolved and quiet this long: closed by the workers."
    )
    bulk_limit: int = Field(
        default=1000, ge=1, le=10_000, description="Most complaints one bulk action touches."
    )


class CollaborationConfig(BaseModel):
    """How long a department asked for help has to answer, counted on that department's calendar.

    Business time by default (tech's 2 hours are working hours); a request about a complaint whose
    SLA runs around the clock (P1) runs around the clock too, and so do the departments listed here.
    """

    default_answer_minutes: int = Field(
        default=540, gt=0, description="Business minutes to answer: one 09:00-18:00 working day."
    )
    answer_minutes: dict[str, int] = Field(
        default_factory=lambda: {"tech": 120},
        description='Per-department answer targets in business minutes, e.g. {"tech": 120} (DOMAIN.md).',
    )
    around_the_clock: list[str] = Field(
        default_factory=list, description="Departments whose answer deadlines count wall-clock time."
    )

    @field_validator("answer_minutes")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        bad = sorted(key for key, minutes in value.items() if minutes <= 0)
        if bad:
            raise ValueError(f"answer minutes must be positive: {', '.join(bad)}")
        return value

    def answer_minutes_for(self, department: str) -> int:
        return self.answer_minutes.get(department, self.default_answer_minutes)


class MattersConfig(BaseModel):
    """One ticket per matter and repeat complaints: how far back to look and how alike is "the same"."""

    window_hours: float = Field(
        default=72,
        gt=0,
        description="A new complaint joins an open one of the customer received this recently.",
    )
    similarity_threshold: float = Field(
        default=0.4,
        gt=0,
        le=1,
        description="Share of the shorter text's character n-grams found in the other text (containment) "
        "from which two complaints without a common order id are the same matter.",
    )
    repeat_window_days: float = Field(
        default=30, gt=0, description="A new complaint like one resolved this recently is a repeat of it."
    )


class AbuseConfig(BaseModel):
    """When a sender's complaints are held for review instead of reaching agents."""

    enabled: bool = True
    window_seconds: int = Field(default=600, ge=1, description="The sliding window the limits count in.")
    max_similar: int = Field(
        default=5,
        ge=1,
        description="Near-identical complaints one sender may send per window; more are held.",
    )
    max_complaints: int = Field(
        default=20,
        ge=1,
        description="Complaints of any content one sender may send per window; more are held.",
    )
    similarity: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="Bigram Jaccard similarity from which two texts are near-identical.",
    )
    min_chars: int = Field(
        default=2, ge=1, description="Fewer letters or digits than this (and no attachment) is meaningless."
    )
    block_hours: float = Field(default=7 * 24, gt=0, description="How long a confirmed sender stays blocked.")


class IncidentConfig(BaseModel):
    """When similar complaints from many customers become one incident."""

    enabled: bool = True
    window_seconds: int = Field(default=900, ge=1, description="How recent the complaints grouped must be.")
    min_customers: int = Field(
        default=10, ge=2, description="Distinct customers with similar complaints that open an incident."
    )
    similarity: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Bigram similarity (containment, Jaccard for short texts) from which two reports match.",
    )
    same_version_similarity: float = Field(
        default=0.2,
        gt=0,
        le=1,
        description="The lower similarity enough for reports naming the same app version or product SKU.",
    )
    max_candidates: int = Field(default=200, ge=10, description="Most recent complaints compared per triage.")
    ignored_categories: list[str] = Field(
        default_factory=lambda: ["suggestion"], description="Categories that never open an incident."
    )
    notice_batch_size: int = Field(
        default=100, ge=1, le=1000, description="Customers messaged per job when an incident update goes out."
    )
    sweep_delay_seconds: float = Field(
        default=60,
        ge=0,
        description="After an incident opens, link complaints whose triage overlapped it this much later.",
    )


class SurveyConfig(BaseModel):
    """The satisfaction survey sent when a complaint is resolved."""

    enabled: bool = True
    valid_days: float = Field(default=14, gt=0, description="How long a survey link can be answered.")
    unsatisfied_max_score: int = Field(
        default=2, ge=1, le=4, description="Scores at or below this reopen the complaint for second handling."
    )
    skip_resolution_codes: list[str] = Field(
        default_factory=lambda: ["abuse", "merged", "duplicate"],
        description="Resolutions that send no survey: nobody was served.",
    )


class KnowledgeConfig(BaseModel):
    """How knowledge-base search and suggestions score similarity (character n-grams, see core.similarity)."""

    search_min_score: float = Field(
        default=0.3,
        gt=0,
        le=1,
        description="Share of the query's n-grams a solution must contain to be found.",
    )
    suggestion_min_score: float = Field(
        default=0.2, gt=0, le=1, description="Similarity from which a solution or complaint is suggested."
    )
    category_boost: float = Field(
        default=0.15, ge=0, le=1, description="Added to the score of solutions of the complaint's category."
    )
    max_candidates: int = Field(
        default=200, ge=10, le=5000, description="Solutions scored per query, best n-gram overlap first."
    )
    complaint_candidates: int = Field(
        default=500, ge=10, le=5000, description="Most recent resolved complaints compared per suggestion."
    )


class CompensationConfig(BaseModel):
    """Compensation above these amounts waits for a supervisor's approval before it can be granted."""

    approval_threshold: dict[str, Decimal] = Field(
        default_factory=lambda: {"CNY": Decimal(200)},
        description='Per ISO 4217 currency, e.g. {"CNY": 200, "USD": 30}; a currency not listed always '
        "needs approval.",
    )
    points_approval_threshold: int = Field(
        default=20_000, ge=0, description="Points above this need approval."
    )

    @field_validator("approval_threshold")
    @classmethod
    def _currency_codes(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(len(code) != 3 or not code.isalpha() for code in value):
            raise ValueError("keys are ISO 4217 currency codes such as CNY")
        return {code.upper(): limit for code, limit in value.items()}


class AlertsConfig(BaseModel):
    """Spike alerts: a dimension's complaints in the latest window against its own recent windows."""

    enabled: bool = True
    window_minutes: int = Field(
        default=60, ge=5, le=24 * 60, description="Length of the window counted, and of each baseline window."
    )
    baseline_windows: int = Field(
        default=24, ge=3, le=24 * 7, description="How many windows before the current one form the baseline."
    )
    stddev_factor: float = Field(
        default=3.0, ge=0, description="A spike is above the baseline mean by this many standard deviations."
    )
    min_count: int = Field(
        default=10, ge=1, description="A window with fewer complaints than this is never a spike."
    )
    every_minutes: int = Field(
        default=1, ge=1, le=60, description="How often the workers evaluate the sliding window."
    )


class KpiTargets(BaseModel):
    """The manuals' targets (DOMAIN.md), shown next to each figure; shares are 0–1."""

    response_rate: float = Field(default=0.95, ge=0, le=1, description="At least.")
    resolution_rate: float = Field(default=0.80, ge=0, le=1, description="At least.")
    satisfaction: float = Field(default=0.90, ge=0, le=1, description="Share of 4–5 scores; at least.")
    conversion: float = Field(default=0.18, ge=0, le=1, description="At least.")
    repeat_rate: float = Field(default=0.12, ge=0, le=1, description="At most.")
    first_response_seconds: int = Field(
        default=2 * 3600, ge=0, description="The wall-clock wait customers expect; at most."
    )


class AnalyticsConfig(BaseModel):
    targets: KpiTargets = KpiTargets()
    max_period_days: int = Field(default=400, ge=1, description="The longest period one request may cover.")
    max_buckets: int = Field(default=2000, ge=10, description="The most buckets one time series may have.")
    export_batch_size: int = Field(
        default=1000, ge=1, le=10_000, description="Complaints read, audited and sent per export chunk."
    )


class MetricsConfig(BaseModel):
    bearer_token: SecretStr | None = Field(
        default=None,
        description="When set, `/metrics` needs `Authorization: Bearer <token>`; unset, it is open and "
        "should only be reachable from the internal network.",
    )


class Settings(BaseSettings):
    """Everything the API, the worker and the CLI need; nothing else reads the environment."""

    model_config = SettingsConfigDict(
        env_prefix="COMPLAINT_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    environment: Environment = Environment.development
    database_url: str | None = Field(
        default=None,
        description="postgresql+asyncpg://… ; unset means an embedded PostgreSQL in data_dir.",
    )
    redis_url: str | None = Field(
        default=None, description="redis://… ; unset means an embedded Redis in data_dir."
    )
    data_dir: Path = Path(".complaint-data")
    timezone: str = "Asia/Shanghai"
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    log_format: LogFormat = LogFormat.json
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    db_pool_size: int = Field(
        default=20,
        description="Connections kept open per process: as many as a worker runs jobs at once, so a "
        "busy process does not open and close a connection (and re-prepare statements) per request.",
    )
    db_max_overflow: int = Field(
        default=0,
        ge=0,
        description="Connections opened beyond the pool when it is busy. SQLAlchemy closes each one as "
        "it is returned, so under sustained load every request above the pool opens a connection and "
        "prepares its statements anew (intake at 32 in flight: 282/s with 5, 410/s with none): by "
        "default a request waits, up to the pool timeout, for a warm one instead.",
    )
    db_pool_timeout_seconds: float = 5.0
    db_statement_timeout_ms: int = 15_000
    default_phone_region: str = "CN"
    reference_prefix: str = "C"
    retry_after_seconds: int = 5
    wechat: WeChatAccount = WeChatAccount()
    worker: WorkerConfig = WorkerConfig()
    outbound: OutboundConfig = OutboundConfig()
    auth: AuthConfig = AuthConfig()
    lifecycle: LifecycleConfig = LifecycleConfig()
    abuse: AbuseConfig = AbuseConfig()
    incidents: IncidentConfig = IncidentConfig()
    matters: MattersConfig = MattersConfig()
    collaboration: CollaborationConfig = CollaborationConfig()
    surveys: SurveyConfig = SurveyConfig()
    knowledge: KnowledgeConfig = KnowledgeConfig()
    compensation: CompensationConfig = CompensationConfig()
    alerts: AlertsConfig = AlertsConfig()
    metrics: MetricsConfig = MetricsConfig()
    analytics: AnalyticsConfig = AnalyticsConfig()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _production_needs_real_services(self) -> Self:
        if self.environment is Environment.production and not (self.database_url and self.redis_url):
            raise ValueError("production needs COMPLAINT_DATABASE_URL and COMPLAINT_REDIS_URL")
        return self

    @model_validator(mode="after")
    def _production_needs_a_signing_key(self) -> Self:
        """Replicas must share one key, and a key made up at start-up would log everyone out on restart."""
        secret = self.auth.jwt_secret
        if self.environment is Environment.production and (
            secret is None or len(secret.get_secret_value()) < 32
        ):
            raise ValueError("production needs COMPLAINT_AUTH__JWT_SECRET of at least 32 characters")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def embedded(self) -> bool:
        return self.database_url is None or self.redis_url is None


@lru_cache
def get_settings() -> Settings:
    return Settings()
