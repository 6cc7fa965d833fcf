"""One validated configuration, read from `COMPLAINT_*` variables (and `.env`)."""

from __future__ import annotations

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
    max_jobs: int = 20
    job_timeout_seconds: int = 60
    max_tries: int = 5
    poll_delay_seconds: float = 0.1
    shutdown_grace_seconds: int = 25
    reconcile_every_seconds: int = Field(default=5, ge=1, le=60)
    triage_grace_seconds: int = Field(default=5, ge=0, description="Untriaged this long: re-enqueue.")
    timer_lookahead_seconds: int = Field(
        default=10, ge=0, description="Reconciler schedules timers due this soon."
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
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout_seconds: float = 5.0
    db_statement_timeout_ms: int = 15_000
    default_phone_region: str = "CN"
    reference_prefix: str = "C"
    retry_after_seconds: int = 5
    wechat: WeChatAccount = WeChatAccount()
    worker: WorkerConfig = WorkerConfig()
    outbound: OutboundConfig = OutboundConfig()

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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def embedded(self) -> bool:
        return self.database_url is None or self.redis_url is None


@lru_cache
def get_settings() -> Settings:
    return Settings()
