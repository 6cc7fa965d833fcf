"""Which database errors are outages (503, retry) and which are bugs (500)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError

from complaint_service.core.problems import database_unavailable


class DriverError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__("driver error")
        self.sqlstate = sqlstate


def error(sqlstate: str | None, *, invalidated: bool = False) -> DBAPIError:
    return DBAPIError("SELECT 1", None, DriverError(sqlstate), connection_invalidated=invalidated)


class TestDatabaseUnavailable:
    @pytest.mark.parametrize(
        "sqlstate", ["57P01", "57P02", "57P03", "53300", "08006", "08001", "40P01", "40001"]
    )
    def test_shutdown_startup_and_connection_failures_are_outages(self, sqlstate: str) -> None:
        assert database_unavailable(error(sqlstate))

    @pytest.mark.parametrize("sqlstate", ["23505", "22P02", "42P01", None])
    def test_constraint_syntax_and_unknown_errors_are_not(self, sqlstate: str | None) -> None:
        assert not database_unavailable(error(sqlstate))

    def test_an_invalidated_connection_is_an_outage(self) -> None:
        assert database_unavailable(error(None, invalidated=True))
