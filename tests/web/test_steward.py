"""The data steward: quarantined rows, the raw row (audited), correcting and dismissing."""

from __future__ import annotations

import pytest
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


def _with_amount_field(web: WebTown, partner: str) -> None:
    import json

    from sqlalchemy import update

    raw = {"signaal_id": "X-1", "postcode": "7909ZZ", "huisnummer": "77", "bedrag": "1200.00"}
    with session_scope(web.res.engine) as session:
        session.execute(
            update(Quarantine)
            .where(Quarantine.quarantine_id == 1)
            .values(partner=partner, raw_token=web.res.raw_vault.seal({"raw": json.dumps(raw)}))
        )


def test_a_dutch_amount_is_resubmitted_in_the_partners_spelling(
    web: WebTown, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.resubmit
    from connectors.catalog import PartnerSpec
    from connectors.quarantine import ResubmissionError

    spec = web.res.catalog.get("domesta")
    dotted = PartnerSpec(**{**spec.model_dump(), "decimal": ".", "thousands": ""})
    columns = dict(dotted.columns)
    columns["amount"] = "bedrag"
    dotted = PartnerSpec(**{**dotted.model_dump(), "columns": columns, "required": ["signaal_id"]})
    monkeypatch.setattr(type(web.res.catalog), "get", lambda self, partner: dotted)
    _with_amount_field(web, "domesta")
    written: list[str] = []

    def capture(settings, path, today):  # type: ignore[no-untyped-def]
        written.append(path.read_text(encoding="utf-8-sig"))
        raise ResubmissionError("gestopt in de test")

    monkeypatch.setattr(flows.resubmit, "resubmit", capture)
    client = steward(web)
    page = client.get("/quarantaine/1").text
    assert "bijvoorbeeld 1234,56" in page
    token = csrf_of(page)
    ambiguous = client.post(
        "/quarantaine/1/herindienen", data={"csrf_token": token, "veld:bedrag": "1.234"}
    )
    assert ambiguous.status_code == 400 and "niet eenduidig" in ambiguous.text and not written
    client.post("/quarantaine/1/herindienen", data={"csrf_token": token, "veld:bedrag": "1.234,56"})
    assert written and ";1234.56" in written[0].splitlines()[1]


def test_refused_files_are_counted_and_linked_at_the_top(web: WebTown) -> None:
    import datetime as dt

    from sqlalchemy import insert

    from connectors.database.models import Delivery

    with session_scope(web.res.engine) as session:
        session.execute(
            insert(Delivery).values(
                partner="water", delivery_date=dt.date(2026, 10, 6), source_file="water/kapot.csv",
                sha256="0" * 64, status="rejected", rows_received=0, rows_accepted=0,
                rows_quarantined=0, rejection_code="missing_column",
                rejection_reason_nl="Kolom postcode ontbreekt", loaded_at=dt.datetime.now(dt.UTC),
            )
        )  # fmt: skip
    html = steward(web).get("/quarantaine").text
    top = html.index('href="#geweigerde-bestanden"')
    assert top < html.index('id="open-regels"') < html.index('id="geweigerde-bestanden"')
    assert "1 geweigerd bestand" in html[top : top + 200]
    assert "water/kapot.csv" in html and "Kolom postcode ontbreekt" in html
