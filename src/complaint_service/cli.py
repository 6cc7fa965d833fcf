"""complaint-service command line: thin parsing that calls into the features."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import secrets
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

import uvicorn
import uvloop
from sqlalchemy import func, select

from complaint_service import migrate
from complaint_service.app import create_app
from complaint_service.auth import service as auth_service
from complaint_service.auth.passwords import hash_password
from complaint_service.core.db import create_engine, create_sessionmaker
from complaint_service.embedded import EmbeddedServices, start_embedded
from complaint_service.models import Agent
from complaint_service.models.enums import Department
from complaint_service.settings import Settings, get_settings

OPENAPI_PATH = Path("openapi/openapi.json")


def resolve(settings: Settings) -> tuple[Settings, EmbeddedServices | None]:
    """Settings with both URLs set, starting embedded servers for whichever is not configured."""
    if not settings.embedded:
        return settings, None
    services = start_embedded(
        settings.data_dir, database_url=settings.database_url, redis_url=settings.redis_url
    )
    resolved = settings.model_copy(
        update={"database_url": services.database_url, "redis_url": services.redis_url}
    )
    return resolved, services


def openapi_json(settings: Settings) -> str:
    placeholder = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://unused/unused", "redis_url": "redis://unused"}
    )
    return json.dumps(create_app(placeholder).openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def cmd_openapi(settings: Settings, args: argparse.Namespace) -> int:
    document = openapi_json(settings)
    path = Path(args.output)
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != document:
            print(f"{path} is stale: run `complaint-service openapi`", file=sys.stderr)
            return 1
        print(f"{path} is current")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    print(f"wrote {path}")
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    resolved, _services = resolve(settings)
    assert resolved.database_url is not None
    migrate.upgrade(resolved.database_url, args.revision)
    return 0


async def _with_session(settings: Settings, action: str, args: argparse.Namespace) -> int:
    assert settings.database_url is not None
    engine = create_engine(settings, settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            if action == "create":
                try:
                    key, token = await auth_service.create_key(session, name=args.name, scopes=args.scope)
                except auth_service.UnknownScopeError as exc:
                    print(exc, file=sys.stderr)
                    return 2
                print(json.dumps({"id": str(key.id), "name": key.name, "scopes": key.scopes, "token": token}))
            elif action == "list":
                for key in await auth_service.list_keys(session):
                    revoked = key.revoked_at.isoformat() if key.revoked_at else "-"
                    print(f"{key.id}  {key.prefix}…  {key.name}  {','.join(key.scopes)}  revoked={revoked}")
            elif not await auth_service.revoke_key(session, key_id=uuid.UUID(args.id)):
                print("no active key with that id", file=sys.stderr)
                return 1
    finally:
        await engine.dispose()
    return 0


def cmd_api_keys(settings: Settings, args: argparse.Namespace) -> int:
    resolved, _services = resolve(settings)
    return asyncio.run(_with_session(resolved, args.action, args))


def cmd_api(settings: Settings, args: argparse.Namespace) -> int:
    resolved, _services = resolve(settings)
    host, port = args.host or resolved.host, args.port or resolved.port
    if args.workers > 1:
        if _services is not None:
            print(
                "--workers needs configured COMPLAINT_DATABASE_URL and COMPLAINT_REDIS_URL", file=sys.stderr
            )
            return 2
        uvicorn.run(
            "complaint_service.cli:app_factory",
            factory=True,
            host=host,
            port=port,
            workers=args.workers,
            log_config=None,
            timeout_graceful_shutdown=20,
        )
        return 0
    app = create_app(resolved)
    freeze_startup_heap()
    uvicorn.run(app, host=host, port=port, log_config=None, timeout_graceful_shutdown=20)
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from arq.worker import async_check_health

    from complaint_service.worker import create_worker, worker_options

    resolved, _services = resolve(settings)
    if args.check:
        redis_settings = worker_options(resolved)["redis_settings"]
        return asyncio.run(async_check_health(redis_settings, queue_name=resolved.worker.queue_name))
    # uvloop, as uvicorn gives the API: a triage batch awaits dozens of statements while the loop
    # also runs the bookkeeping of every job in flight, so the loop's own cost is on its path.
    asyncio.set_event_loop(uvloop.new_event_loop())
    worker = create_worker(resolved)
    freeze_startup_heap()
    worker.run()
    return 0


async def _serve_all(settings: Settings) -> None:
    """API and worker in one process; Ctrl-C stops the server, then the worker finishes its jobs."""
    from complaint_service.worker import create_worker

    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host=settings.host, port=settings.port, log_config=None)
    )
    worker = create_worker(settings, handle_signals=False)
    worker_task = asyncio.create_task(worker.async_run())
    try:
        await server.serve()
    finally:
        worker_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker_task
        await worker.close()


def cmd_dev(settings: Settings, args: argparse.Namespace) -> int:
    resolved, _services = resolve(settings)
    assert resolved.database_url is not None
    migrate.upgrade(resolved.database_url)
    token = asyncio.run(_demo_token(resolved))
    email, password = asyncio.run(ensure_demo_person(resolved))
    base = f"http://{resolved.host}:{resolved.port}"
    print(
        f"\ncomplaint-service is up on {base}  (data in {resolved.data_dir.resolve()})\n"
        f"demo API key (admin): {token}\n"
        f"demo supervisor sign-in ({base}/dashboard, POST /v1/auth/token): {email} / {password}\n\n"
        f"  curl -s -X POST {base}/v1/complaints -H 'Authorization: Bearer {token}' "
        "-H 'Content-Type: application/json' \\\n"
        '    -d \'{"channel":"web_form","body":"支付失败，钱扣了但订单没生成",'
        '"customer":{"phone":"13812345678"}}\'\n'
        f"  curl -s {base}/v1/complaints -H 'Authorization: Bearer {token}'\n",
        flush=True,
    )
    asyncio.run(_serve_all(resolved))
    return 0


async def _demo_token(settings: Settings) -> str:
    """Reuse the demo key across restarts (its secret is kept in the data folder, mode 0600)."""
    path = settings.data_dir / "demo-api-key"
    assert settings.database_url is not None
    engine = create_engine(settings, settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            if path.exists():
                token = path.read_text(encoding="utf-8").strip()
                if await auth_service.resolve_token(session, token=token) is not None:
                    return token
            _, token = await auth_service.create_key(session, name="demo", scopes=["admin"])
    finally:
        await engine.dispose()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(token, encoding="utf-8")
    path.chmod(0o600)
    return token


async def ensure_demo_person(settings: Settings) -> tuple[str, str]:
    """A supervisor to sign in with; the password is kept in the data folder (mode 0600) and reused."""
    email, path = "demo.supervisor@example.com", settings.data_dir / "demo-supervisor-password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12), encoding="utf-8")
        path.chmod(0o600)
    password = path.read_text(encoding="utf-8").strip()
    assert settings.database_url is not None
    engine = create_engine(settings, settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            person = await session.scalar(select(Agent).where(func.lower(Agent.email) == email))
            if person is None:
                person = Agent(
                    name="Demo Supervisor",
                    email=email,
                    role="supervisor",
                    departments=[d.value for d in Department],
                    status="away",
                    capacity=0,
                )
                session.add(person)
            person.password_hash = await hash_password(password)
    finally:
        await engine.dispose()
    return email, password


def freeze_startup_heap() -> None:
    """Moves what start-up built (modules, routes, schemas, mappers: alive as long as the process) out of
    the garbage collector's reach, so a full collection no longer walks it. Before, the API paused
    about 90 ms every few hundred list requests (`python -m bench scale`)."""
    gc.collect()
    gc.freeze()


def app_factory() -> object:
    """Entry for uvicorn's multi-process mode, where each process builds its own app."""
    app = create_app(get_settings())
    freeze_startup_heap()
    return app


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="complaint-service", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    api = sub.add_parser("api", help="serve the HTTP API")
    api.add_argument("--host")
    api.add_argument("--port", type=int)
    api.add_argument("--workers", type=int, default=1)
    api.set_defaults(run=cmd_api)

    worker = sub.add_parser("worker", help="run an arq worker (any number can run side by side)")
    worker.add_argument("--check", action="store_true", help="exit 0 when a worker's health key is fresh")
    worker.set_defaults(run=cmd_worker)

    dev = sub.add_parser(
        "dev", help="everything on embedded PostgreSQL and Redis: migrate, demo key, API + worker"
    )
    dev.set_defaults(run=cmd_dev)

    mig = sub.add_parser("migrate", help="apply database migrations")
    mig.add_argument("revision", nargs="?", default="head")
    mig.set_defaults(run=cmd_migrate)

    spec = sub.add_parser("openapi", help="write (or --check) openapi/openapi.json")
    spec.add_argument("--output", default=str(OPENAPI_PATH))
    spec.add_argument("--check", action="store_true")
    spec.set_defaults(run=cmd_openapi)

    keys = sub.add_parser("api-keys", help="create, list or revoke API keys")
    key_sub = keys.add_subparsers(dest="action", required=True)
    create = key_sub.add_parser("create")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", action="append", required=True, help="repeatable, e.g. intake:wechat")
    key_sub.add_parser("list")
    revoke = key_sub.add_parser("revoke")
    revoke.add_argument("id")
    keys.set_defaults(run=cmd_api_keys)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    sys.exit(args.run(get_settings(), args))
