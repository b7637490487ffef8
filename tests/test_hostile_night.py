"""The nightly flow refuses a night with an unusable address list: one message, no traceback.

End to end through Prefect (the session's temporary server): the flow run ends Failed with the
message as its state, the run is recorded failed, nothing is read, and the night after the
list is corrected loads the same deliveries.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.flow_fixtures import (  # noqa: F401  (fixtures)
    EXAMPLE_NIGHT,
    Municipality,
    clear_resources,
    municipality_fixture,
    prefect_harness_fixture,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]


def _count(url: str, sql: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_a_broken_address_list_refuses_the_night_without_a_traceback(
    municipality: Municipality, capfd: pytest.CaptureFixture[str]
) -> None:
    from connectors.reference import AddressListError
    from flows.nightly import nightly

    municipality.deliver(EXAMPLE_NIGHT)
    good = municipality.reference.read_bytes()
    header = good.splitlines()[0]
    municipality.reference.write_bytes(header + b"\n")  # header only: no addresses

    with pytest.raises(AddressListError, match="holds no addresses"):
        nightly(as_of=EXAMPLE_NIGHT, export=False)
    output = capfd.readouterr()
    assert "Traceback" not in _without_logging_errors(output.out + output.err)
    url = municipality.database_url
    assert _count(url, "SELECT count(*) FROM deliveries") == 0
    assert _count(url, "SELECT count(*) FROM pipeline_runs WHERE status = 'failed'") == 1

    municipality.reference.write_bytes(good)
    clear_resources()
    report = nightly(as_of=EXAMPLE_NIGHT, export=False)
    assert report.partners["domesta"].accepted > 0
    assert _count(url, "SELECT count(*) FROM pipeline_runs WHERE status = 'succeeded'") == 1


def _without_logging_errors(text: str) -> str:
    """The output minus the stdlib's '--- Logging error ---' reports: in a long test session
    Prefect's console handler may hold a stream an earlier test's capture closed, which is the
    harness's, not the night's, traceback."""
    return re.sub(r"--- Logging error ---.*?\nArguments: [^\n]*\n", "", text, flags=re.S)
