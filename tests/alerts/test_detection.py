"""The spike rule on its own: above mean + k·σ of the baseline, and at least the minimum count."""

from __future__ import annotations

import pytest

from complaint_service.alerts.detection import assess


class TestAssess:
    def test_a_count_far_above_a_steady_baseline_is_a_spike(self) -> None:
        result = assess(40, [20, 22, 18, 20], stddev_factor=3, min_count=10)
        assert result.mean == 20
        assert result.stddev == pytest.approx(2**0.5)
        assert result.threshold == pytest.approx(20 + 3 * 2**0.5)
        assert result.spike

    def test_ordinary_variation_is_not(self) -> None:
        assert not assess(24, [20, 22, 18, 20], stddev_factor=3, min_count=10).spike

    def test_the_minimum_count_holds_even_against_a_quiet_baseline(self) -> None:
        assert not assess(9, [0, 0, 0, 1], stddev_factor=3, min_count=10).spike
        assert assess(10, [0, 0, 0, 1], stddev_factor=3, min_count=10).spike

    def test_a_value_new_to_the_baseline_spikes_at_the_minimum(self) -> None:
        result = assess(12, [0] * 24, stddev_factor=3, min_count=10)
        assert (result.mean, result.stddev, result.spike) == (0, 0, True)

    def test_equal_to_the_threshold_is_not_above_it(self) -> None:
        assert not assess(20, [20] * 5, stddev_factor=3, min_count=10).spike
