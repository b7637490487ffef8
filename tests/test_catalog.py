"""The partner catalog: the shipped one is valid; bad entries are named; new partners are config."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from connectors.catalog import CatalogError, load_catalog, parse_catalog
from connectors.readers import read_delivery
from connectors.settings import CONFIG_DIR
from signals.ddas import PARTNER_TYPES


def test_shipped_catalog_has_every_feed_partner():
    catalog = load_catalog()
    assert set(catalog.partners) == {"domesta", "energie", "water", "zorg", "bank", "nazorg"}
    types = {pid: spec.partner_type for pid, spec in catalog.partners.items()}
    assert types == {
        "domesta": "Huur",
        "energie": "Energie",
        "water": "Water",
        "zorg": "Zorg",
        "bank": "Overige",
        "nazorg": None,
    }
    assert all(t is None or t in PARTNER_TYPES for t in types.values())
    assert catalog.get("nazorg").kind == "aftercare"
    assert catalog.get("water").format == "xlsx" and catalog.get("water").sheet == "Signalen"
    assert catalog.get("zorg").encoding == "latin-1"
    assert catalog.get("bank").requires_consent and not catalog.get("domesta").requires_consent
    assert all(spec.complete_snapshot for spec in catalog.partners.values())


def test_unknown_partner_is_a_clear_key_error():
    with pytest.raises(KeyError, match="onbekend"):
        load_catalog().get("onbekend")


def _shipped_document() -> dict:
    return yaml.safe_load((CONFIG_DIR / "partners.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("partner", "change", "field"),
    [
        ("domesta", {"partner_type": "Huurder"}, "partner_type"),
        ("energie", {"format": "parquet"}, "format"),
        ("zorg", {"encoding": "cp1252"}, "encoding"),
        ("water", {"sheet": None}, "sheet"),
        ("domesta", {"date_format": "dd-mm-jjjj"}, "date_format"),
        # Day windows are the triage policy's (one place): the catalog refuses them.
        ("zorg", {"window_min_days": 30}, "window_min_days"),
        ("energie", {"columns": {"signal_id": "signal_id", "postcode": "postcode"}}, "huisnummer"),
        (
            "domesta",
            {"columns": {"signal_id": "a", "postcode": "b", "huisnummer": "c", "bedrag": "d"}},
            "bedrag",
        ),
        ("bank", {"required": ["referral_id", "iban"]}, "iban"),
        ("bank", {"colour": "red"}, "colour"),
    ],
)
def test_bad_entry_names_partner_and_field(partner, change, field):
    document = _shipped_document()
    document["partners"][partner].update(change)
    with pytest.raises(CatalogError) as error:
        parse_catalog(document, source="partners.yaml")
    assert f"partner '{partner}'" in str(error.value)
    assert field in str(error.value)


def test_missing_or_invalid_catalog_file(tmp_path):
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "absent.yaml")
    broken = tmp_path / "partners.yaml"
    broken.write_text("partners: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(broken)
    broken.write_text("partners: {}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="no partners"):
        load_catalog(broken)


def test_new_partner_with_a_known_dialect_needs_only_a_catalog_entry(tmp_path):
    document = _shipped_document()
    woonstad = dict(document["partners"]["domesta"])
    woonstad["columns"] = {
        "signal_id": "Dossier",
        "postcode": "PC",
        "huisnummer": "Nummer",
        "amount": "Schuld",
        "arrears_since": "Sinds",
        "signal_date": "Gemeld",
        "eviction_requested": "Ontruiming",
    }
    woonstad["required"] = ["Dossier", "PC", "Nummer", "Schuld", "Sinds", "Gemeld"]
    document["partners"]["woonstad"] = woonstad
    catalog_path = tmp_path / "partners.yaml"
    catalog_path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    inbox = tmp_path / "inbox"
    (inbox / "woonstad").mkdir(parents=True)
    delivery = inbox / "woonstad" / "2026-11-02.csv"
    delivery.write_bytes(
        "\ufeffDossier;PC;Nummer;Schuld;Sinds;Gemeld;Ontruiming\r\n"
        "W-1;7906 kl;16-b;1.250,00;01-09-2026;02-11-2026;J\r\n".encode()
    )
    result = read_delivery(delivery, load_catalog(catalog_path).get("woonstad"), inbox)
    assert result.delivery_date == date(2026, 11, 2)
    row = result.records.iloc[0]
    assert (row.partner, row.partner_type, row.signal_id) == ("woonstad", "Huur", "W-1")
    assert (row.postcode, row.huisnummer, row.toevoeging) == ("7906KL", 16, "B")
    assert row.amount == 1250.0 and bool(row.eviction_requested)
    assert result.rows_in == 1 and result.rejected.empty
