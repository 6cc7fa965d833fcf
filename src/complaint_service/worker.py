"""The arq worker: collects every feature's jobs and crons and owns their long-lived clients."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import httpx
import structlog
from arq.connections import RedisSettings
from arq.constants import in_progress_key_prefix
from arq.cron import CronJob
from arq.utils import timestamp_ms
from arq.worker import Function, Worker
from prometheus_client import start_http_server
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

from complaint_service.alerts import tasks as alert_tasks
from complaint_service.analytics import tasks as analytics_tasks
from complaint_service.complaints import tasks as complaint_tasks
from complaint_service.core.clock import utcnow
from complaint_service.core.db import create_engine, create_sessionmaker
from complaint_service.core.jobs import COALESCERS, DB_SLOTS
from complaint_service.incidents import tasks as incident_tasks
from complaint_service.logging import configure_logging
from complaint_service.ops.metrics import POOLS, sample_queue_depth
from complaint_service.outbound import tasks as outbound_tasks
from complaint_service.routing import tasks as routing_tasks
from complaint_service.settings import Settings
from complaint_service.sla import tasks as sla_tasks
from complaint_service.sla.calendar import warn_unknown_holiday_years
from complaint_service.triage import tasks as triage_tasks

FUNCTIONS: list[Function] = [
    *triage_tasks.FUNCTIONS,
    *routing_tasks.FUNCTIONS,
    *sla_tasks.FUNCTIONS,
    *outbound_tasks.FUNCTIONS,
    *complaint_tasks.FUNCTIONS,
    *incident_tasks.FUNCTIONS,
    *alert_tasks.FUNCTIONS,
    *analytics_tasks.FUNCTIONS,
]

# Redis down or restarting: a connection error, or a WATCH cut off by one (arq catches its other WatchErrors).
REDIS_LOST = (RedisConnectionError, RedisTimeoutError, WatchError, OSError)
REDIS_RETRY_SECONDS = 1.0
RESERVED_CONNECTIONS = 4
# KEYS: the queue, then each job's in-progress key; ARGV: now (ms), the in-progress expiry (ms), the job
# ids. Returns the claimed jobs as id, score pairs.
_CLAIM = """
local claimed = {}
for i = 2, #KEYS do
    local job_id = ARGV[i + 1]
    if redis.call('EXISTS', KEYS[i]) == 0 then
        local score = redis.call('ZSCORE', KEYS[1], job_id)
        if score and tonumber(score) <= tonumber(ARGV[1]) then
            redis.call('PSETEX', KEYS[i], ARGV[2], '1')
            table.insert(claimed, job_id)
            table.insert(claimed, score)
        end
    end
end
return claimed
"""
log = structlog.get_logger(__name__)


class RedisTolerantWorker(Worker):
    """arq ends the worker, and the jobs in flight with it, on the first Redis connection error. This one
    logs, waits and polls again, so a Redis restart costs no process; the reconcilers re-enqueue from
    PostgreSQL what Redis lost meanwhile. Hooks into arq 0.28's poll loop.
    """

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_LOST as exc:
            log.warning("redis_unavailable", error=repr(exc))
            await asyncio.sleep(REDIS_RETRY_SECONDS)

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        """arq's claim (skip a job running elsewhere or no longer queued, else mark it in progress),
        for every job of the poll in one script: arq spends four round trips per job on it (WATCH,
        EXISTS, ZSCORE, MULTI/EXEC), which is most of a triage job's Redis cost and delays the
        start of the last jobs of a poll, and so the batch they would have joined."""
        wanted: list[str] = []
        for job_id in job_ids:
            if self.job_counter >= self.max_jobs or self.sem.locked():
                break  # as many as there are free slots now: the rest wait for the next poll
            await self.sem.acquire()
            self.job_counter += 1
            wanted.append(job_id.decode())
        if not wanted:
            return
        try:
            claimed = await self._claim(
                keys=[self.queue_name, *(in_progress_key_prefix + job_id for job_id in wanted)],
                args=[timestamp_ms(), int(self.in_progress_timeout_s * 1000), *wanted],
            )
        except BaseException:
            for _ in wanted:
                self._release_sem_dec_counter_on_complete()
            raise
        for _ in range(len(wanted) - len(claimed) // 2):
            self._release_sem_dec_counter_on_complete()
        for job_id, score in zip(claimed[::2], claimed[1::2], strict=True):
            task = self.loop.create_task(self.run_job(job_id.decode(), int(float(score))))
            task.add_done_callback(lambda _: self._release_sem_dec_counter_on_complete())
            self.tasks[job_id.decode()] = task

    @functools.cached_property
    def _claim(self) -> AsyncScript:
        return self.pool.register_script(_CLAIM)

    async def record_health(self) -> None:
        """Sample the queue depth for /metrics when arq records its health (every health check interval)."""
        last = self._last_health_check
        await super().record_health()
        if self._last_health_check != last:
            await sample_queue_depth(self.pool, self.queue_name)


def cron_jobs(settings: Settings) -> list[CronJob]:
    """Cron job ids are global in Redis: prefix them with the queue so deployments don't dedupe each other."""
    every = settings.worker.reconcile_every_seconds
    jobs = [
        *triage_tasks.crons(every),
        *routing_tasks.crons(every),
        *sla_tasks.crons(every),
        *outbound_tasks.crons(every),
        *complaint_tasks.crons(every),
        *incident_tasks.crons(every),
        *alert_tasks.crons(settings.alerts.every_minutes),
        *analytics_tasks.crons(),
    ]
    for job in jobs:
        job.name = f"{settings.worker.queue_name}:{job.name}"
    return jobs


def worker_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for arq's Worker, shared by the CLI, `dev` and the end-to-end tests."""
    assert settings.database_url is not None
    assert settings.redis_url is not None
    database_url = settings.database_url

    async def startup(ctx: dict[str, Any]) -> None:
        configure_logging(settings)
        engine = create_engine(settings, database_url)
        ctx[COALESCERS] = {}
        # For jobs that hold a connection through slow I/O: the pool, less one connection for each
        # triage batch that may run at once and a few for timers and sweeps.
        ctx[DB_SLOTS] = asyncio.Semaphore(
            max(1, settings.db_pool_size - settings.worker.batch_concurrency - RESERVED_CONNECTIONS)
        )
        ctx.update(
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            settings=settings,
            http=httpx.AsyncClient(
                timeout=settings.outbound.timeout_seconds,
                headers={"User-Agent": settings.outbound.user_agent},
                follow_redirects=False,
            ),
        )
        POOLS.track("worker", engine)
        warn_unknown_holiday_years(utcnow().date())
        if settings.worker.metrics_port is not None:
            # A thread of this process: the worker is one process, so its registry is the whole story.
            ctx["metrics_server"], _ = start_http_server(
                settings.worker.metrics_port, addr=settings.worker.metrics_host
            )

    async def shutdown(ctx: dict[str, Any]) -> None:
        if server := ctx.get("metrics_server"):
            server.shutdown()
            server.server_close()
        POOLS.untrack(ctx["engine"])
        await ctx["http"].aclose()
        await ctx["engine"].dispose()

    return {
        "functions": FUNCTIONS,
        "cron_jobs": cron_jobs(settings),
        "queue_name": settings.worker.queue_name,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_jobs": settings.worker.max_jobs,
        "job_timeout": settings.worker.job_timeout_seconds,
        "max_tries": settings.worker.max_tries,
        "poll_delay": settings.worker.poll_delay_seconds,
        "job_completion_wait": settings.worker.shutdown_grace_seconds,
        "health_check_interval": 10,
        "keep_result": 5,
    }


def create_worker(settings: Settings, **overrides: Any) -> Worker:
    return RedisTolerantWorker(**{**worker_options(settings), **overrides})
