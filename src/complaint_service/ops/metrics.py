"""Prometheus metrics of the API and the workers: one registry per process, scraped per process.

Every metric is defined here, so a name is chosen once and the two processes expose one vocabulary.
Counters of things that only happened if a transaction commits (complaints received, SLA actions
fired, alerts raised) are incremented after commit through `count_after_commit`.
"""

from __future__ import annotations

from collections.abc import Iterator

from arq.connections import ArqRedis
from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import QueuePool

from complaint_service.core.after_commit import add_effect
from complaint_service.core.clock import utcnow
from complaint_service.sla.calendar import holiday_years_unknown

NAMESPACE = "complaint_service"
# Latency buckets from a 5 ms read to a 10 s export page; jobs include slow webhook posts.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route template (not raw path), method and status code.",
    ["method", "route", "status"],
    namespace=NAMESPACE,
    buckets=HTTP_BUCKETS,
)
COMPLAINTS_RECEIVED = Counter(
    "complaints_received_total",
    "New complaints committed by intake (duplicates and threaded messages excluded), by channel.",
    ["channel"],
    namespace=NAMESPACE,
)
QUEUE_DEPTH = Gauge(
    "queue_depth",
    "Jobs in the arq queue, due and deferred (ZCARD of the queue), sampled at scrape or health check.",
    namespace=NAMESPACE,
)
JOB_DURATION = Histogram(
    "job_duration_seconds",
    "Time a job's body took (commit included), by job name, whether it succeeded or failed.",
    ["job"],
    namespace=NAMESPACE,
    buckets=JOB_BUCKETS,
)
BATCH_SIZE = Histogram(
    "job_batch_size",
    "Jobs that shared one unit of work (a batch of triage jobs), by job name.",
    ["job"],
    namespace=NAMESPACE,
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
JOB_FAILURES = Counter(
    "job_failures_total", "Jobs that raised (arq may retry them), by job name.", ["job"], namespace=NAMESPACE
)
SLA_ACTIONS_FIRED = Counter(
    "sla_actions_fired_total",
    "SLA warnings, breaches and escalations fired (committed), by kind.",
    ["kind"],
    namespace=NAMESPACE,
)
WEBHOOK_ATTEMPTS = Counter(
    "webhook_attempts_total",
    "Webhook delivery attempts by outcome: delivered, or failed (retried later or dead-lettered).",
    ["outcome"],
    namespace=NAMESPACE,
)
WEBHOOK_DEAD_LETTERS = Counter(
    "webhook_dead_letters_total",
    "Webhook deliveries given up on (retry window spent or endpoint disabled).",
    namespace=NAMESPACE,
)
ALERTS_RAISED = Counter(
    "alerts_raised_total", "Spike alerts raised, by dimension.", ["dimension"], namespace=NAMESPACE
)


def count_after_commit(session: AsyncSession, counter: Counter, *labels: str, amount: float = 1) -> None:
    """Count only what the transaction makes true: a rollback drops the increment with the work."""

    async def effect() -> None:
        (counter.labels(*labels) if labels else counter).inc(amount)

    add_effect(session, effect)


async def sample_queue_depth(redis: ArqRedis, queue_name: str) -> None:
    QUEUE_DEPTH.set(await redis.zcard(queue_name))


class PoolCollector(Collector):
    """Reads the tracked engines' connection pools when scraped, so the figures are never stale.

    A process has one engine per role ("api", "worker"); should it hold several (tests build apps
    side by side), a role's figures are their sum.
    """

    def __init__(self) -> None:
        self.engines: dict[AsyncEngine, str] = {}

    def collect(self) -> Iterator[Metric]:
        families = {
            "checked_out": GaugeMetricFamily(
                f"{NAMESPACE}_db_pool_checked_out", "Database connections in use, by pool.", labels=["pool"]
            ),
            "checked_in": GaugeMetricFamily(
                f"{NAMESPACE}_db_pool_checked_in", "Open connections idle in the pool.", labels=["pool"]
            ),
            "size": GaugeMetricFamily(
                f"{NAMESPACE}_db_pool_size", "Configured pool size (overflow comes on top).", labels=["pool"]
            ),
        }
        totals: dict[str, dict[str, int]] = {}
        for engine, role in list(self.engines.items()):
            pool = engine.pool
            if isinstance(pool, QueuePool):
                figures = totals.setdefault(role, dict.fromkeys(families, 0))
                figures["checked_out"] += pool.checkedout()
                figures["checked_in"] += pool.checkedin()
                figures["size"] += pool.size()
        for role, figures in sorted(totals.items()):
            for key, family in families.items():
                family.add_metric([role], figures[key])
        yield from families.values()

    def track(self, role: str, engine: AsyncEngine) -> None:
        self.engines[engine] = role

    def untrack(self, engine: AsyncEngine) -> None:
        self.engines.pop(engine, None)


POOLS = PoolCollector()
REGISTRY.register(POOLS)


class HolidayDataCollector(Collector):
    """1 for each year, from now to 60 days ahead, whose official holidays chinese-calendar does not
    know: an alert can ask for a package upgrade (or calendar dates) before clocks count them as work."""

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            f"{NAMESPACE}_cn_holidays_unknown",
            "Years up to 60 days ahead without China's official holiday arrangement (see README).",
            labels=["year"],
        )
        for year in holiday_years_unknown(utcnow().date()):
            family.add_metric([str(year)], 1.0)
        yield family


REGISTRY.register(HolidayDataCollector())
