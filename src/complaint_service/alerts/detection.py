"""Is a window's count a spike against the windows before it? Pure arithmetic, no database."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Assessment:
    count: int
    mean: float
    stddev: float
    threshold: float
    spike: bool


def assess(count: int, baseline: Sequence[int], *, stddev_factor: float, min_count: int) -> Assessment:
    """A spike is above mean + k·σ of the baseline windows and at least `min_count`.

    σ is the population standard deviation: the baseline windows are all the history compared, not
    a sample. Windows without complaints count as zeros, so a quiet value that suddenly draws
    `min_count` complaints is a spike (a product starting to draw complaints is what we watch for).
    """
    mean = sum(baseline) / len(baseline) if baseline else 0.0
    variance = sum((n - mean) ** 2 for n in baseline) / len(baseline) if baseline else 0.0
    stddev = math.sqrt(variance)
    threshold = mean + stddev_factor * stddev
    return Assessment(
        count=count,
        mean=mean,
        stddev=stddev,
        threshold=threshold,
        spike=count > threshold and count >= min_count,
    )
