"""The data steward: quarantined rows, the raw row (audited), correcting and dismissing."""

from __future__ import annotations

from sqlalchemy import select

from connectors.database.audit import load_audit_log
from connectors.database.engine import session_scope
from connectors.database.models import Quarantine
from tests.scenario import town_fixture  # noqa: F401
from tests.web.conftest import WebTown, csrf_of


def steward(web: WebTown):  # type: ignore[no-untyped-def]
    client = web.client()
    web.login(client, "gegevensbeheerder")
    return client


def test_list_shows_reason_and_failing_column_but_no_content(web: WebTown) -> None:
    html = steward(web).get("/quarantaine").text
    assert "BSN voldoet niet aan de elfproef" in html and "domesta/2026-10-05.csv" in html
    assert "123456789" not in html and "7909" not in html
    with session_scope(web.res.engine) as session:
        assert load_audit_log(session, action="open_raw_rows") == []


def test_the_raw_row_is_shown_to_the_steward_and_audited(web: WebTown) -> None:
    html = steward(web).get("/quarantaine/1").text
    assert 'value="123456789"' in html and "(fout)" in html
    with session_scope(web.res.engine) as session:
        log = load_audit_log(session, action="open_raw_rows")
    assert [(e["actor"], e["entity"]) for e in log] == [("web:gegevensbeheerder", "quarantine 1")]
    assert "123456789" not in log[0]["details"]


def test_dismissing_needs_a_reason_and_closes_the_row(web: WebTown) -> None:
    client = steward(web)
    token = csrf_of(client.get("/quarantaine/1").text)
    refused = client.post("/quarantaine/1/afwijzen", data={"csrf_token": token, "reden": " "})
    assert refused.status_code == 400 and "Vul in waarom" in refused.text
    done = client.post(
        "/quarantaine/1/afwijzen", data={"csrf_token": token, "reden": "dubbele regel"}
    )
    assert done.status_code == 303
    with session_scope(web.res.engine) as session:
        row = session.get(Quarantine, 1)
        assert row is not None
        assert (row.status, row.dismissed_reason, row.dismissed_by) == (
            "dismissed",
            "dubbele regel",
            "web:gegevensbeheerder",
        )
    assert "Geen open regels" in client.get("/quarantaine").text


def test_a_resubmitted_row_that_fails_again_returns_with_its_reason(web: WebTown) -> None:
    client = steward(web)
    token = csrf_of(client.get("/quarantaine/1").text)
    response = client.post(
        "/quarantaine/1/herindienen",
        data={"csrf_token": token, "veld:bsn": "111222333", "veld:onbekend": "x"},
    )
    assert response.status_code == 303
    with session_scope(web.res.engine) as session:
        statuses = dict(session.execute(select(Quarantine.quarantine_id, Quarantine.status)).all())
    assert statuses[1] == "resubmitted" and "open" in statuses.values()


def test_failing_columns_come_from_expectations_or_reason_codes() -> None:
    from connectors.database.quarantine_view import columns_of_codes, failing_columns

    assert failing_columns(
        "expect_column_values_to_match_regex(postcode); expect_x(_check_first_occurrence)"
    ) == ["postcode"]
    columns = ["birth_date", "amount", "postcode"]
    assert columns_of_codes("birth_date_invalid_date,amount_not_numeric", columns) == [
        "birth_date",
        "amount",
    ]
    assert columns_of_codes(None, columns) == []
