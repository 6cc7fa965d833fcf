"""Retry delays: exponential backoff with full jitter and a floor."""

from __future__ import annotations

import random

# 2**60 times any sensible base is far past any cap; clamping keeps the float maths finite.
_MAX_EXPONENT = 60


def next_delay(attempt: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry).

    Full jitter (uniform up to `min(cap, base * 2**attempt)`) spreads retries of many deliveries
    that failed together; the floor of half the base keeps a retry from firing at once, in a loop.
    """
    ceiling = min(cap, base * 2.0 ** min(max(attempt, 0), _MAX_EXPONENT))
    floor = min(ceiling, base / 2)
    return (rng or random.Random()).uniform(floor, ceiling)  # noqa: S311 - jitter, not a secret
