"""A throw-away database, a flushed Redis index, and the service's real API and worker processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import redis.asyncio as aioredis
from arq.constants import health_check_key_suffix
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from complaint_service import migrate
from complaint_service.auth import service as auth_service
from complaint_service.core.db import create_sessionmaker
from complaint_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
QUEUE_NAME = "complaint-service-bench:queue"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def postgres_cpu_seconds() -> float | None:
    """CPU time of every PostgreSQL process on this machine (the bench's server is local), or None
    when none can be read: what the database spent, beside what the server process spent."""
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if Path(stat.parent, "comm").read_text().strip() != "postgres":
                continue
        except OSError:
            continue
        total += cpu_seconds(int(stat.parent.name))
        found = True
    return total if found else None


def machine() -> dict[str, Any]:
    """What the figures were measured on, read at run time."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "source": source_version(),
    }


def source_version() -> str:
    """The commit measured, and whether src/ had uncommitted changes at the time."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} + uncommitted changes in src/" if dirty else head


@dataclass
class Service:
    """One child process of the service, with its log file for post-mortems."""

    role: str
    process: subprocess.Popen[bytes]
    log: Path
    cpu_mark: float = 0.0

    def cpu_since_mark(self) -> float:
        return cpu_seconds(self.process.pid) - self.cpu_mark

    def mark(self) -> None:
        self.cpu_mark = cpu_seconds(self.process.pid)

    def peak_rss_mb(self) -> float | None:
        """The kernel's high-water mark of this process's resident memory (VmHWM), while it lives."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), None)
        return None if kb is None else round(kb / 1024, 1)


@dataclass
class BenchEnv:
    """A migrated database of its own (dropped at the end) and a Redis index flushed at the start."""

    server_url: str
    database_url: str
    redis_url: str
    database: str
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    logs: Path
    services: list[Service] = field(default_factory=list)
    api_url: str | None = None
    # Peak RSS (MB) per role, over every process of that role this environment stopped.
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    def child_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            **os.environ,
            "COMPLAINT_DATABASE_URL": self.database_url,
            "COMPLAINT_REDIS_URL": self.redis_url,
            "COMPLAINT_LOG_LEVEL": "WARNING",
            "COMPLAINT_ENVIRONMENT": "production",
            "COMPLAINT_AUTH__JWT_SECRET": "bench-" + "x" * 40,
            "COMPLAINT_WORKER__QUEUE_NAME": QUEUE_NAME,
            # Teardown only: the measurement is over when processes are stopped.
            "COMPLAINT_WORKER__SHUTDOWN_GRACE_SECONDS": "2",
        }
        return {**env, **(extra or {})}

    def settings(self) -> Settings:
        """The settings the service's processes run with, for a job the bench calls in its own process."""
        with mock.patch.dict(os.environ, self.child_env(), clear=True):
            return Settings(_env_file=None)

    def _spawn(
        self, role: str, args: Sequence[str], extra: dict[str, str] | None, module: str = "complaint_service"
    ) -> Service:
        log = self.logs / f"{role}-{len(self.services)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                cwd=ROOT,
                env=self.child_env(extra),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(role, process, log)
        self.services.append(service)
        return service

    async def start_api(self, extra: dict[str, str] | None = None) -> str:
        port = _free_port()
        self._spawn("api", ["api", "--port", str(port)], extra)
        self.api_url = f"http://127.0.0.1:{port}"
        await self._wait_ready(self.api_url)
        return self.api_url

    async def start_ceiling_app(self) -> str:
        """bench/ceiling_app.py on a port of its own; returns its base URL."""
        port = _free_port()
        self._spawn("ceiling app", ["--port", str(port)], None, module="bench.ceiling_app")
        url = f"http://127.0.0.1:{port}"
        await self._wait_ready(url)
        return url

    async def _wait_ready(self, url: str, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=url, timeout=2) as client:
            while time.monotonic() < deadline:
                self.check_alive()
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"API not ready after {within}s; see {self.logs}")

    async def start_workers(self, count: int, extra: dict[str, str] | None = None) -> list[Service]:
        """Starts `count` worker processes and waits until each has written its arq health key."""
        started = [self._spawn("worker", ["worker"], extra) for _ in range(count)]
        deadline = time.monotonic() + 30
        client = aioredis.from_url(self.redis_url)  # type: ignore[no-untyped-call]
        try:
            while time.monotonic() < deadline:
                self.check_alive()
                if await client.exists(QUEUE_NAME + health_check_key_suffix):
                    break
                await asyncio.sleep(0.1)
        finally:
            await client.aclose()
        return started

    def check_alive(self) -> None:
        for service in self.services:
            if service.process.poll() is not None:
                tail = service.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{service.role} exited with {service.process.returncode}:\n{tail}")

    def stop(self, services: Sequence[Service] | None = None) -> None:
        """SIGTERM, then SIGKILL whatever is still there after a few seconds."""
        targets = list(self.services if services is None else services)
        self.peak_rss_mb = self.peaks(targets)
        for service in targets:
            if service.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 6
        for service in targets:
            try:
                service.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait()
            self.services.remove(service)

    def peaks(self, services: Sequence[Service] | None = None) -> dict[str, float]:
        """Peak RSS (MB) per role: of processes already stopped and of `services` (default: all live)."""
        peaks = dict(self.peak_rss_mb)
        for service in self.services if services is None else services:
            peak = service.peak_rss_mb()
            if peak is not None:
                peaks[service.role] = max(peak, peaks.get(service.role, 0.0))
        return peaks

    async def admin_token(self) -> str:
        async with self.sessionmaker() as session, session.begin():
            _, token = await auth_service.create_key(session, name="bench", scopes=["admin"])
        return token

    async def flush_redis(self) -> None:
        client = aioredis.from_url(self.redis_url)  # type: ignore[no-untyped-call]
        try:
            await client.flushdb()
        finally:
            await client.aclose()


async def _admin(server_url: str, statement: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def bench_env() -> AsyncIterator[BenchEnv]:
    """Everything a scenario needs; every process started here is killed and the database dropped."""
    server_url = os.environ.get("COMPLAINT_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("COMPLAINT_BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    name = f"cs_bench_{uuid.uuid4().hex[:10]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    database_url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    logs = Path(tempfile.mkdtemp(prefix=f"{name}-logs-"))
    engine = create_async_engine(database_url, pool_size=20, max_overflow=10)
    env = BenchEnv(server_url, database_url, redis_url, name, engine, create_sessionmaker(engine), logs)
    try:
        await asyncio.to_thread(migrate.upgrade, database_url)
        await env.flush_redis()
        yield env
    except BaseException:
        print(f"bench failed; process logs kept in {logs}", file=sys.stderr)
        raise
    else:
        shutil.rmtree(logs, ignore_errors=True)
    finally:
        env.stop()
        await engine.dispose()
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await env.flush_redis()
