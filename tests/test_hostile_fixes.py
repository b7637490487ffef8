"""The failures a hostile run found (issue 14), each pinned by a fast test of its own.

The corpus (``test_hostile_corpus.py``) runs the same inputs through the night; these tests
hold each rule where it lives.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from connectors.catalog import load_catalog
from connectors.exports.columns import safe_text, unsafe_text
from connectors.exports.feedback import write_partner_feedback
from connectors.readers import read_delivery
from connectors.reference import AddressListError, read_reference
from signals.validation.expectations import indicators_agreed
from tests.hostile.partners import good_row, reference_csv, reference_rows

AGREED = ("stornering", "rood_staan", "spaartegoed_daalt", "gemiste_aflossing")


def _bank_file(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "bank" / "2026-10-05.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("consent", ["ja", "true", 1, "1", None, False, [True], {"v": True}])
def test_only_json_true_is_consent(tmp_path: Path, consent: object) -> None:
    rows = [{**good_row("bank", 0), "consent": consent}, good_row("bank", 1)]
    result = read_delivery(_bank_file(tmp_path, rows), load_catalog().get("bank"), tmp_path)
    assert result.records["signal_id"].tolist() == ["B-1"]
    assert result.rejected["reason_code"].tolist() == ["no_consent"]


def test_a_broken_referral_without_consent_has_only_the_consent_reason(tmp_path: Path) -> None:
    broken = {k: v for k, v in good_row("bank", 0).items() if k != "consent"}
    broken["house_number"] = "veertien"
    result = read_delivery(_bank_file(tmp_path, [broken]), load_catalog().get("bank"), tmp_path)
    rejected = result.rejected.iloc[0]
    assert (rejected["reason_code"], rejected["reason_en"]) == (
        "no_consent",
        "Bank referral without recorded consent",
    )


def test_indicators_must_be_agreed_and_not_repeated() -> None:
    indicators = pd.Series(
        ["rood_staan,stornering", "bitcoin", "stornering,stornering", "", pd.NA], dtype="string"
    )
    assert indicators_agreed(indicators, AGREED).tolist() == [True, False, False, True, True]


def _reference(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "adressen.csv"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "cannot read"),
        (reference_csv([]), "holds no addresses"),
        (b"\x00\xff\xfe" * 100, "cannot read"),
        (reference_csv(wijknaam="W" * 201), "wijknaam is longer than 200 characters on line(s) 2"),
        (reference_csv([*reference_rows(), reference_rows()[0]]), "listed twice"),
    ],
)
def test_an_unusable_address_list_is_one_clear_error(
    tmp_path: Path, content: bytes, says: str
) -> None:
    with pytest.raises(AddressListError) as error:
        read_reference(_reference(tmp_path, content))
    assert says in str(error.value) and "7906" not in str(error.value)


def test_formula_text_is_sanitised_in_the_partner_feedback(tmp_path: Path) -> None:
    feedback = pd.DataFrame(
        {
            "signaal_id": ['=HYPERLINK("http://example.invalid")', "DOM-1"],
            "signaaldatum": pd.to_datetime(["2026-10-05", "2026-10-05"]),
            "terugkoppeling": ["opgepakt", "niet opgepakt"],
        }
    )
    path = write_partner_feedback(feedback, tmp_path / "terugkoppeling.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        ids = [row["signaal_id"] for row in csv.DictReader(handle, delimiter=";")]
    assert ids == ['\'=HYPERLINK("http://example.invalid")', "DOM-1"]


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-50", "@SUM(A1)", "\tx", "gewoon", "'quoted"])
def test_safe_text_is_undone_on_the_way_back(text: str) -> None:
    shown = safe_text(text)
    assert shown == ("'" + text if text[0] in "=+-@\t" else text)
    assert unsafe_text(str(shown)) == text


def test_the_night_refuses_an_unusable_address_list_before_reading(tmp_path: Path) -> None:
    from connectors.settings import get_settings
    from flows.night import check_reference
    from flows.resources import reference_addresses

    reference_addresses.cache_clear()
    settings = get_settings(reference=_reference(tmp_path, reference_csv([])), demo=True)
    with pytest.raises(AddressListError, match="holds no addresses"):
        check_reference(settings)


FORMULA_WIJK = '=HYPERLINK("http://example.invalid","Oost")'


def test_a_formula_wijknaam_stays_text_in_the_monitor_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from connectors.exports.monitor_report import write_table_xlsx

    frame = pd.DataFrame({"wijk": [FORMULA_WIJK, "Noord"], "signalen": [12, 30]})
    path = tmp_path / "tabel.xlsx"
    write_table_xlsx(frame, "wijken", path)
    cell = load_workbook(path)["wijken"]["A2"]
    assert cell.data_type == "s" and cell.value == "'" + FORMULA_WIJK


def test_a_formula_wijknaam_stays_text_in_the_analyst_csv_download() -> None:
    from webapp.views.analyst import download

    frame = pd.DataFrame({"wijk": [FORMULA_WIJK], "signalen": [12]})
    body = bytes(download(frame, "wijken", "csv").body).decode("utf-8-sig")
    rows = list(csv.reader(body.splitlines(), delimiter=";"))
    assert rows[1] == ["'" + FORMULA_WIJK, "12"]


def test_a_steward_correction_file_keeps_formula_text_inert_and_round_trips(tmp_path: Path):
    import datetime as dt

    from connectors.database.quarantine_view import write_correction
    from connectors.quarantine import read_corrections

    row = {
        "quarantine_id": 7,
        "partner": "domesta",
        "delivery_date": dt.date(2026, 10, 5),
        "source_file": "domesta/2026-10-05.csv",
        "source_row": 3,
        "reason_nl": "Toevoeging is ongeldig",
    }
    path = write_correction(row, {"signaal_id": "=1+1", "toevoeging": "A"}, tmp_path / "c.csv")
    assert "'=1+1" in path.read_text(encoding="utf-8-sig")
    (corrections,) = read_corrections(path)
    assert corrections.raw["signaal_id"].tolist() == ["=1+1"]
