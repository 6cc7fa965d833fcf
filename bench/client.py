"""A minimal HTTP/1.1 keep-alive client on asyncio streams: the load generator's side of the wire.

It shares the machine's two CPUs with the server it measures, so every microsecond it spends is taken
from the server. httpx spends about ten times more per request (pool bookkeeping, header models);
this client writes prepared bytes and parses only the status line, the headers and a
Content-Length body, which is all our endpoints send.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    """One request, encoded before it is due so the timed path does no encoding."""

    method: str
    target: str
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive connection; reconnects on the next request when the server closed it."""

    def __init__(self, host: str, port: int, default_headers: dict[str, str], timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._fixed = "".join(
            f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}", **default_headers}.items()
        )
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, request: Request) -> Reply:
        """The reply, or a `Reply` with status 0 when there was none (refused, reset, timed out).

        A kept-alive connection the server closed while idle (uvicorn after 5 s) fails on first use
        without any reply: that request is sent once more on a new connection, as HTTP clients do.
        Every request the bench sends carries its own external id, so a resend cannot double it.
        """
        reused = self._writer is not None
        for attempt in range(2 if reused else 1):
            try:
                return await asyncio.wait_for(self._exchange(request), self.timeout)
            except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError) as exc:
                await self.close()
                stale = isinstance(exc, asyncio.IncompleteReadError) and not exc.partial
                if attempt == 0 and reused and (stale or not isinstance(exc, asyncio.IncompleteReadError)):
                    continue
                return Reply(0, {}, b"")
            except (TimeoutError, OSError, ValueError):
                await self.close()
                return Reply(0, {}, b"")
        return Reply(0, {}, b"")

    async def _exchange(self, request: Request) -> Reply:
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        extra = "".join(f"{k}: {v}\r\n" for k, v in request.headers)
        head = (
            f"{request.method} {request.target} HTTP/1.1\r\n{self._fixed}{extra}"
            f"Content-Type: {request.content_type}\r\nContent-Length: {len(request.body)}\r\n\r\n"
        )
        self._writer.write(head.encode() + request.body)
        status_line = await self._reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while (line := await self._reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await self._reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Reply(status, headers, body)

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


@contextlib.asynccontextmanager
async def lanes(
    base_url: str, count: int, *, headers: dict[str, str] | None = None, patience: float = 30
) -> AsyncIterator[asyncio.Queue[Connection]]:
    """`count` connections handed out from a queue of idle ones; a request waits for a free one."""
    url = urlsplit(base_url)
    assert url.hostname is not None
    assert url.port is not None
    connections = [Connection(url.hostname, url.port, headers or {}, patience) for _ in range(count)]
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for connection in connections:
        idle.put_nowait(connection)
    try:
        yield idle
    finally:
        await asyncio.gather(*(c.close() for c in connections))
