"""Retry delays: jittered, growing, capped, never instant."""

from __future__ import annotations

import itertools
import random

from complaint_service.outbound.backoff import next_delay


class TestNextDelay:
    def test_bounds_for_each_attempt(self) -> None:
        rng = random.Random(20261122)
        for attempt in range(12):
            ceiling = min(600.0, 2.0 * 2**attempt)
            for _ in range(200):
                delay = next_delay(attempt, base=2.0, cap=600.0, rng=rng)
                assert 1.0 <= delay <= ceiling

    def test_grows_until_the_cap(self) -> None:
        rng = random.Random(7)
        means = [
            sum(next_delay(a, base=2.0, cap=600.0, rng=rng) for _ in range(500)) / 500 for a in range(12)
        ]
        assert all(later > earlier for earlier, later in itertools.pairwise(means[:9]))
        assert max(means) < 600.0
        assert means[11] > 250.0

    def test_jitter_spreads_retries(self) -> None:
        rng = random.Random(42)
        delays = {round(next_delay(5, base=2.0, cap=600.0, rng=rng), 3) for _ in range(50)}
        assert len(delays) > 40

    def test_seeded_rng_is_reproducible(self) -> None:
        first = [next_delay(a, base=2.0, cap=600.0, rng=random.Random(1)) for a in range(6)]
        second = [next_delay(a, base=2.0, cap=600.0, rng=random.Random(1)) for a in range(6)]
        assert first == second

    def test_huge_attempt_counts_stay_at_the_cap(self) -> None:
        delay = next_delay(10_000, base=2.0, cap=600.0, rng=random.Random(3))
        assert 1.0 <= delay <= 600.0

    def test_floor_never_exceeds_a_tiny_cap(self) -> None:
        assert next_delay(0, base=10.0, cap=1.0, rng=random.Random(5)) == 1.0
