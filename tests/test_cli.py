"""The command line's own behaviour (the commands themselves are exercised end to end in tests/e2e)."""

from __future__ import annotations

import gc

from complaint_service.cli import freeze_startup_heap


class TestFreezeStartupHeap:
    def test_what_start_up_built_is_left_out_of_collections(self) -> None:
        built_at_start_up = [[i] for i in range(1000)]
        before = gc.get_freeze_count()
        try:
            freeze_startup_heap()
            frozen = gc.get_freeze_count()
        finally:
            gc.unfreeze()  # the test process keeps collecting as before
        assert frozen >= before + len(built_at_start_up)
