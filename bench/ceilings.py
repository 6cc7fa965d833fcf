"""The machine's own limits, measured in the same run: pgbench INSERTs and the raw-asyncpg endpoint."""

from __future__ import annotations

import asyncio
import glob
import os
import re
import shutil
import tempfile
from typing import Any

from sqlalchemy import make_url

from bench.env import BenchEnv

# As many connections as the service keeps in its pool (COMPLAINT_DB_POOL_SIZE's default).
PGBENCH_CLIENTS = 20

# The same INSERT as bench/ceiling_app.py, with a random external id and a time-ordered id like the
# service's UUIDv7 (random keys would scatter the primary-key index and understate the ceiling).
PGBENCH_SCRIPT = """\\set n random(1, 9000000000000000)
INSERT INTO complaints (id, reference, channel, external_id, subject, body, language, attachments,
    channel_data, order_id, tags, flags, has_pii, received_at)
VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7'
        || substr(md5(random()::text), 1, 19))::uuid,
    complaint_reference('C', 'Asia/Shanghai'), 'web_form', 'pgbench-' || :client_id || '-' || :n,
    '支付失败', '订单' || :n || '支付失败，钱已经扣了但是订单没有生成，客服电话一直打不通。',
    'zh-Hans', '[]', '{}', '2026' || :n, '{}', '{}', false, now())
ON CONFLICT DO NOTHING;
"""


def pgbench_path() -> str:
    """Debian's postgresql-client puts pgbench on PATH or under /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("pgbench") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError("pgbench not found: apt-get install -y postgresql-client")
    return found


async def pgbench(env: BenchEnv, *, seconds: float) -> dict[str, Any]:
    """Single-row INSERT transactions per second into the migrated `complaints` table."""
    url = make_url(env.database_url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False, encoding="utf-8") as script:
        script.write(PGBENCH_SCRIPT)
    argv = [
        pgbench_path(),
        "--no-vacuum",
        "--protocol=prepared",
        f"--client={PGBENCH_CLIENTS}",
        "--jobs=2",
        f"--time={max(1, round(seconds))}",
        f"--file={script.name}",
        f"--host={url.host or '127.0.0.1'}",
        f"--port={url.port or 5432}",
        f"--username={url.username or 'postgres'}",
        url.database or "postgres",
    ]
    environ = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, env=environ, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        output = (await process.communicate())[0].decode(errors="replace")
    finally:
        os.unlink(script.name)
    tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", output, re.MULTILINE)
    avg = re.search(r"^latency average = ([\d.]+) ms", output, re.MULTILINE)
    if process.returncode != 0 or tps is None:
        raise RuntimeError(f"pgbench failed ({process.returncode}):\n{output[-2000:]}")
    return {
        "clients": PGBENCH_CLIENTS,
        "seconds": max(1, round(seconds)),
        "tps": round(float(tps.group(1)), 1),
        "latency_avg_ms": float(avg.group(1)) if avg else None,
    }
