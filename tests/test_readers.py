"""Partner readers: every dialect in, canonical records and reasoned rejections out."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from connectors.catalog import Catalog, load_catalog
from connectors.readers import DeliveryUnreadable, ReadResult, read_delivery
from connectors.reference import AddressListError, read_reference
from signals.schema import AFTERCARE_SCHEMA, REJECT_SCHEMA, SIGNAL_SCHEMA

DAY = "2026-10-05"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _write(inbox: Path, partner: str, content: bytes, name: str = f"{DAY}.csv") -> Path:
    path = inbox / partner / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def _read(catalog: Catalog, inbox: Path, partner: str, path: Path) -> ReadResult:
    result = read_delivery(path, catalog.get(partner), inbox)
    assert result.rows_in == len(result.records) + len(result.rejected)
    schema = AFTERCARE_SCHEMA if partner == "nazorg" else SIGNAL_SCHEMA
    assert list(result.records.columns) == list(schema)
    assert [str(t) for t in result.records.dtypes] == list(schema.values())
    assert list(result.rejected.columns) == list(REJECT_SCHEMA)
    assert (result.rejected["stage"] == "read").all()
    return result


DOMESTA_HEADER = (
    "signaal_id;postcode;huisnummer;toevoeging;geboortedatum;maandhuur;achterstand_bedrag;"
    "achterstand_maanden;ontstaansdatum;signaaldatum;ontruiming_aangevraagd;warme_overdracht"
)


def _domesta(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join([DOMESTA_HEADER, *lines]) + "\r\n").encode("utf-8")


def test_domesta_bom_crlf_decimal_comma_thousands_dot(tmp_path, catalog):
    path = _write(
        tmp_path,
        "domesta",
        _domesta(
            "D-1;7906kl;16;b;02-02-1961;712,00;1.396,80;2,0;01-08-2026;05-10-2026;J;N",
            "D-2;7906 KL;16 B;;02-02-1961;712,00;712,00;1,0;01-09-2026;05-10-2026;N;J",
        ),
    )
    result = _read(catalog, tmp_path, "domesta", path)
    records = result.records
    assert result.source_file == f"domesta/{DAY}.csv" and result.delivery_date == date(2026, 10, 5)
    assert records["source_row"].tolist() == [2, 3]
    assert records["amount"].tolist() == [1396.8, 712.0]
    assert records["monthly_rent"].tolist() == [712.0, 712.0]
    assert records["arrears_months"].tolist() == [2.0, 1.0]
    assert records["eviction_requested"].tolist() == [True, False]
    assert records["warm_handover"].tolist() == [False, True]
    assert records["partner_type"].unique().tolist() == ["Huur"]
    addresses = records[["postcode", "huisnummer", "toevoeging"]].drop_duplicates()
    assert addresses.to_dict("records") == [
        {"postcode": "7906KL", "huisnummer": 16, "toevoeging": "B"}
    ]
    assert records["signal_date"].iloc[0] == pd.Timestamp("2026-10-05")
    # Accepted rows carry no JSON of the record; it is rebuilt for the rows that need it.
    assert records["raw"].isna().all()
    raw = json.loads(result.raw_of(records["source_row"]).iloc[0])
    assert raw["achterstand_bedrag"] == "1.396,80" and raw["postcode"] == "7906kl"


def test_domesta_row_defects_are_rejected_with_reasons(tmp_path, catalog):
    path = _write(
        tmp_path,
        "domesta",
        _domesta(
            "D-1;7906KL;14;;23-07-1988;698,40;veel;2,0;01-08-2026;05-10-2026;N;N",
            "D-2;7906KL;14;;23-07-1988;698,40;100,00;2,0;31-02-2026;05-10-2026;N;N",
            ";7906KL;14;;23-07-1988;698,40;100,00;2,0;01-08-2026;05-10-2026;N;N",
            "D-4;7906KL;veertien;;23-07-1988;698,40;100,00;2,0;01-08-2026;05-10-2026;N;N",
            "D-5;7906KL;14;;23-07-1988;698,40;100,00;2,0;01-08-2026;05-10-2026;N;N",
            "D-5;7906KL;14;;23-07-1988;698,40;100,00;2,0;01-08-2026;05-10-2026;N;N",
            "D-7;0123sa;14;;23-07-1988;698,40;-100,00;2,0;01-08-2027;05-10-2026;N;N",
            "D-8;7906KL;14;;23-07-1988;698,40;100,00;2,0;01-08",
        ),
    )
    result = _read(catalog, tmp_path, "domesta", path)
    rejected = result.rejected.set_index("source_row")
    assert rejected["reason_code"].to_dict() == {
        2: "amount_not_numeric",
        3: "arrears_since_invalid_date",
        4: "signal_id_missing",
        5: "huisnummer_not_integer",
        9: "field_count_mismatch",
    }
    assert rejected.loc[2, "reason_nl"] == "Achterstandsbedrag is geen getal"
    assert rejected.loc[2, "reason_en"] == "the arrears amount is not a number"
    # Reasons never quote the values; the raw row keeps them for the quarantine.
    assert "veel" not in str(rejected.loc[2, "reason_en"]) + str(rejected.loc[2, "reason_nl"])
    assert json.loads(str(rejected.loc[2, "raw"]))["achterstand_bedrag"] == "veel"
    assert json.loads(str(rejected.loc[9, "raw"]))["ontstaansdatum"] == "01-08"
    # Duplicates, invalid postcodes, negative amounts and future dates are validation's job.
    kept = result.records
    assert kept["signal_id"].tolist() == ["D-5", "D-5", "D-7"]
    assert kept["postcode"].iloc[2] == "0123SA" and kept["amount"].iloc[2] == -100.0
    assert result.rows_in == 8


def test_several_bad_cells_give_one_rejection_listing_all(tmp_path, catalog):
    path = _write(
        tmp_path,
        "domesta",
        _domesta("D-1;7906KL;14;;23-07-1988;x;veel;2,0;31-02-2026;05-10-2026;N;N"),
    )
    result = _read(catalog, tmp_path, "domesta", path)
    # The code is the first failure in canonical column order; the texts list all failures.
    assert result.rejected["reason_code"].tolist() == ["amount_not_numeric"]
    assert "maandhuur" in result.rejected["reason_nl"].iloc[0].lower()
    assert "ontstaansdatum" in result.rejected["reason_nl"].iloc[0].lower()
    assert "achterstandsbedrag" in result.rejected["reason_nl"].iloc[0].lower()


def test_missing_required_column_makes_the_delivery_unreadable(tmp_path, catalog):
    header = DOMESTA_HEADER.replace("achterstand_bedrag;", "")
    path = _write(tmp_path, "domesta", ("\ufeff" + header + "\r\nD-1\r\n").encode())
    with pytest.raises(DeliveryUnreadable) as error:
        read_delivery(path, catalog.get("domesta"), tmp_path)
    assert error.value.reason_code == "required_column_missing"
    assert "achterstand_bedrag" in error.value.reason_en
    assert error.value.source_file == f"domesta/{DAY}.csv"


@pytest.mark.parametrize(
    ("partner", "content", "code"),
    [
        ("domesta", b"", "file_empty"),
        ("domesta", b"\xef\xbb\xbf\r\n", "file_empty"),
        (
            "energie",
            "signal_id,postcode\nEN-1,7906KL\n".encode("latin-1") + b"\xe9\xff\n",
            "encoding_invalid",
        ),
    ],
)
def test_unreadable_files(tmp_path, catalog, partner, content, code):
    path = _write(tmp_path, partner, content)
    with pytest.raises(DeliveryUnreadable) as error:
        read_delivery(path, catalog.get(partner), tmp_path)
    assert error.value.reason_code == code


def test_unrecognised_file_name_is_unreadable(tmp_path, catalog):
    path = _write(tmp_path, "domesta", _domesta(), name="export-oktober.csv")
    with pytest.raises(DeliveryUnreadable) as error:
        read_delivery(path, catalog.get("domesta"), tmp_path)
    assert error.value.reason_code == "file_name_unrecognised"


def test_header_only_file_is_an_empty_delivery(tmp_path, catalog):
    result = _read(catalog, tmp_path, "domesta", _write(tmp_path, "domesta", _domesta()))
    assert result.rows_in == 0 and result.records.empty and result.rejected.empty


ENERGIE_HEADER = (
    "signal_id,postcode,house_number,house_number_suffix,birth_date,arrears_amount,"
    "arrears_since,signal_date,days_overdue,end_of_supply_date,warm_handover"
)


def test_energie_point_decimals_iso_dates_end_of_supply(tmp_path, catalog):
    content = "\n".join(
        [
            ENERGIE_HEADER,
            "EN-1,7906KL,16,B,1961-02-02,243.18,2026-08-12,2026-10-05,54,,false",
            "EN-2,7908 RT,5,,1979-04-30,512.00,2026-07-01,2026-10-05,96,2026-10-31,TRUE",
            "EN-3,7908 RT,5,,1979-04-30,512.00,2026-07-01,2026-10-05,96,2026-10-31",
            'EN-4,7908 RT,5,,1979-04-30,"1,512.00",2026-07-01,2026-10-05,96,,false',
        ]
    )
    result = _read(catalog, tmp_path, "energie", _write(tmp_path, "energie", content.encode()))
    records = result.records
    assert records["amount"].tolist() == [243.18, 512.0]
    assert records["days_overdue"].tolist() == [54, 96]
    assert records["end_of_supply_date"].isna().tolist() == [True, False]
    assert records["warm_handover"].tolist() == [False, True]
    assert result.rejected["reason_code"].tolist() == ["field_count_mismatch", "amount_not_numeric"]
    assert result.rejected["source_row"].tolist() == [4, 5]


def test_truncated_last_line_is_one_rejected_row(tmp_path, catalog):
    content = (
        ENERGIE_HEADER
        + "\nEN-1,7906KL,16,B,1961-02-02,243.18,2026-08-12,2026-10-05,54,,false\nEN-2,7906KL,1"
    )
    result = _read(catalog, tmp_path, "energie", _write(tmp_path, "energie", content.encode()))
    assert len(result.records) == 1
    assert result.rejected[["source_row", "reason_code"]].values.tolist() == [
        [3, "field_count_mismatch"]
    ]


def _water_workbook(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Signalen"
    sheet.append(
        [
            "Kenmerk",
            "Postcode",
            "Huisnr",
            "Toev",
            "Geb.datum",
            "Openstaand bedrag",
            "Oudste factuurdatum",
            "Signaaldatum",
        ]
    )
    sheet.append(
        [
            "W-1",
            "7906 KL",
            16,
            "b",
            datetime(1961, 2, 2),
            187.35,
            datetime(2026, 7, 1),
            datetime(2026, 10, 5),
        ]
    )
    sheet.append(["W-2", "7908rt", "3", None, 22314, "99.5", 46204, 46300])
    sheet.append(["W-3", "7908RT", 5, None, "02-02-1961", "veel", 46204, 46300])
    sheet.append([None] * 8)  # a formatted but empty row is not a record
    sheet.append(["W-5", "7908RT", 5, None, None, 10, "31-02-2026", 46300])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def test_water_xlsx_with_date_cells_serials_and_text(tmp_path, catalog):
    path = tmp_path / "water" / f"{DAY}.xlsx"
    _water_workbook(path)
    result = _read(catalog, tmp_path, "water", path)
    records = result.records
    assert records["signal_id"].tolist() == ["W-1", "W-2"]
    assert records["source_row"].tolist() == [2, 3]
    assert records["amount"].tolist() == [187.35, 99.5]
    assert records["signal_date"].tolist() == [pd.Timestamp("2026-10-05")] * 2
    assert records["arrears_since"].tolist() == [pd.Timestamp("2026-07-01")] * 2
    assert records["birth_date"].tolist() == [pd.Timestamp("1961-02-02")] * 2
    assert records[["postcode", "huisnummer", "toevoeging"]].values.tolist() == [
        ["7906KL", 16, "B"],
        ["7908RT", 3, ""],
    ]
    assert json.loads(records["raw"].iloc[0])["Geb.datum"] == "1961-02-02"
    assert json.loads(records["raw"].iloc[1])["Signaaldatum"] == "46300"
    assert result.rejected[["source_row", "reason_code"]].values.tolist() == [
        [4, "amount_not_numeric"],
        [6, "arrears_since_invalid_date"],
    ]
    assert result.rows_in == 4


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"this is not a zip archive", "xlsx_corrupt"),
        (None, "xlsx_corrupt"),
        ("sheet", "sheet_missing"),
    ],
)
def test_damaged_or_wrong_workbook_is_unreadable(tmp_path, catalog, content, code):
    path = tmp_path / "water" / f"{DAY}.xlsx"
    if isinstance(content, bytes):
        _write(tmp_path, "water", content, name=path.name)
    elif content is None:  # a truncated upload of a real workbook
        _water_workbook(path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        workbook = openpyxl.Workbook()
        workbook.active.title = "Blad1"
        path.parent.mkdir(parents=True, exist_ok=True)
        workbook.save(path)
    with pytest.raises(DeliveryUnreadable) as error:
        read_delivery(path, catalog.get("water"), tmp_path)
    assert error.value.reason_code == code


ZORG_HEADER = (
    "SIGNAALNR;BSN;POSTCODE;HUISNR;HUISNR_TOEV;GEBDAT;ACHTERSTAND;MAANDEN_ACHTERSTAND;"
    "DATUM_ONTSTAAN;DATUM_SIGNAAL;CAK_AANMELDING"
)


def test_zorg_latin1_yyyymmdd_and_cak(tmp_path, catalog):
    content = "\r\n".join(
        [
            ZORG_HEADER,
            "ZV-1;111222333;7906 KL;16;B;19610202;412,56;3;20260701;20261005;0",
            "ZV-2;012345672;7908 RT;3;é;19991115;1.890,00;6;20260401;20261005;1",
            "ZV-3;123456789;7908 RT;3;;19991115;890,00;6;20260431;20261005;1",
        ]
    ).encode("latin-1")
    result = _read(catalog, tmp_path, "zorg", _write(tmp_path, "zorg", content))
    records = result.records
    assert records["bsn"].tolist() == ["111222333", "012345672"]  # leading zero kept
    assert records["amount"].tolist() == [412.56, 1890.0]
    assert records["cak_registered"].tolist() == [False, True]
    assert records["toevoeging"].tolist() == ["B", "é"]
    assert json.loads(result.raw_of(records["source_row"]).iloc[1])["HUISNR_TOEV"] == "é"
    assert result.rejected["reason_code"].tolist() == ["arrears_since_invalid_date"]


def test_bank_jsonl_malformed_line_consent_and_indicators(tmp_path, catalog):
    lines = [
        {
            "referral_id": "B-1",
            "postcode": "7908RT",
            "house_number": 5,
            "suffix": "",
            "consent": True,
            "indicators": ["stornering", "rood_staan"],
            "referral_date": "2026-10-02",
        },
        {
            "referral_id": "B-2",
            "postcode": "7906KL",
            "house_number": 14,
            "suffix": "",
            "consent": False,
            "indicators": ["spaartegoed_daalt"],
            "referral_date": "2026-10-03",
        },
        {
            "referral_id": "B-3",
            "postcode": "7906KL",
            "house_number": "14a",
            "indicators": [],
            "referral_date": "2026-10-03",
        },
    ]
    text = "\n".join(json.dumps(line) for line in lines[:2])
    text += '\n\n{"referral_id": "B-9", "postcode": \n' + json.dumps(lines[2]) + "\n[1, 2]\n"
    text += (
        json.dumps({"postcode": "7906KL", "house_number": 1, "referral_date": "2026-10-03"}) + "\n"
    )
    consented_but_broken = {"referral_id": "B-8", "postcode": "7906KL", "consent": True}
    text += json.dumps(consented_but_broken) + "\n"
    result = _read(
        catalog, tmp_path, "bank", _write(tmp_path, "bank", text.encode(), name=f"{DAY}.jsonl")
    )
    records = result.records
    # Only a referral with consent is read on; a malformed line has no consent either.
    assert records["signal_id"].tolist() == ["B-1"]
    assert records["source_row"].tolist() == [1]
    assert records["consent"].tolist() == [True]
    assert records["indicators"].tolist() == ["rood_staan,stornering"]
    assert records["partner_type"].unique().tolist() == ["Overige"]
    assert result.rejected[["source_row", "reason_code"]].values.tolist() == [
        [2, "no_consent"],
        [4, "no_consent"],
        [5, "no_consent"],  # missing consent is no consent
        [6, "no_consent"],
        [7, "no_consent"],
        [8, "required_field_missing"],
    ]
    refused = result.rejected[result.rejected["reason_code"] == "no_consent"]
    assert set(refused["reason_en"]) == {"Bank referral without recorded consent"}
    assert result.rows_in == 7  # the blank line is not a record


def test_nazorg_aftercare_file(tmp_path, catalog):
    content = (
        "dossier_id;postcode;huisnummer;toevoeging;einddatum_traject;uitkomst\n"
        "GKB-1;7908 RT;3;;15-01-2026;schuldregeling_geslaagd\n"
        "GKB-2;7908 RT;3;;15-13-2026;afgebroken\n"
    )
    result = _read(catalog, tmp_path, "nazorg", _write(tmp_path, "nazorg", content.encode()))
    assert result.records[
        ["dossier_id", "postcode", "huisnummer", "trajectory_outcome"]
    ].values.tolist() == [["GKB-1", "7908RT", 3, "schuldregeling_geslaagd"]]
    assert result.records["trajectory_end_date"].iloc[0] == pd.Timestamp("2026-01-15")
    assert result.rejected["reason_code"].tolist() == ["trajectory_end_date_invalid_date"]


def test_shared_examples(shared_dir, catalog):
    inbox = shared_dir / "examples" / "inbox"
    results = {
        partner: _read(catalog, inbox, partner, next((inbox / partner).glob(f"{DAY}.*")))
        for partner in catalog.partners
    }
    counts = {p: (r.rows_in, len(r.records), len(r.rejected)) for p, r in results.items()}
    assert counts == {
        "domesta": (3, 3, 0),
        "energie": (2, 2, 0),
        "water": (1, 1, 0),
        "zorg": (2, 2, 0),
        "bank": (2, 1, 1),  # the referral without consent is refused at read
        "nazorg": (1, 1, 0),
    }
    address = ["postcode", "huisnummer", "toevoeging"]
    for partner, signal_id in (
        ("domesta", "DOM-2026-00418"),
        ("energie", "EN-88231"),
        ("zorg", "ZV1002931"),
    ):
        records = results[partner].records
        row = records.loc[records["signal_id"] == signal_id, address]
        assert row.values.tolist() == [["7906KL", 16, "B"]], partner
    assert results["bank"].records["consent"].tolist() == [True]
    assert results["bank"].rejected["reason_code"].tolist() == ["no_consent"]
    domesta = results["domesta"].records.set_index("signal_id")
    assert bool(domesta.loc["DOM-2026-00419", "eviction_requested"])
    assert bool(results["zorg"].records.set_index("signal_id").loc["ZV1002932", "cak_registered"])


def test_reference_addresses_are_normalised(tmp_path, shared_dir):
    path = tmp_path / "adressen.csv"
    path.write_text(
        "postcode;huisnummer;toevoeging;wijkcode;wijknaam;buurtcode\n"
        "7906 kl;16;b;WK011803;Hoogeveen-Oost;BU01180301\n"
        "7906KL;14;;WK011803;Hoogeveen-Oost;BU01180301\n"
        "7908 RT;3-a;;WK011804;Erflanden;BU01180402\n",
        encoding="utf-8",
    )
    reference = read_reference(path)
    assert reference.values.tolist() == [
        ["7906KL", 16, "B", "WK011803", "Hoogeveen-Oost", "BU01180301"],
        ["7906KL", 14, "", "WK011803", "Hoogeveen-Oost", "BU01180301"],
        ["7908RT", 3, "A", "WK011804", "Erflanden", "BU01180402"],
    ]
    assert [str(t) for t in reference.dtypes] == [
        "string",
        "Int64",
        "string",
        "string",
        "string",
        "string",
    ]
    assert len(read_reference(shared_dir / "examples" / "reference" / "adressen.csv")) == 4


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("postcode;huisnummer\n7906KL;16\n", "lacks column"),
        (
            "postcode;huisnummer;toevoeging;wijkcode;wijknaam;buurtcode\n7906KL;zestien;;W;N;B\n",
            "line(s) 2",
        ),
        (
            "postcode;huisnummer;toevoeging;wijkcode;wijknaam;buurtcode\n"
            "7906KL;16;b;W;N;B\n7906 kl;16-B;;W;N;B\n",
            "listed twice on line(s) 2, 3",
        ),
    ],
)
def test_unusable_reference_is_a_clear_error(tmp_path, body, message):
    path = tmp_path / "adressen.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(AddressListError, match=re.escape(message)) as error:
        read_reference(path)
    assert "7906" not in str(error.value)
