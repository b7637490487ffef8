"""The synthetic municipality: determinism, calibration read back from the files, defects,
and the partners' exact formats."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from synthetic import generate
from synthetic.population import passes_eleven_test

START = date(2025, 11, 1)
HEADERS = {  # copied from FEEDS.md, the inbound contract
    "domesta": "signaal_id;postcode;huisnummer;toevoeging;geboortedatum;maandhuur;"
    "achterstand_bedrag;achterstand_maanden;ontstaansdatum;signaaldatum;"
    "ontruiming_aangevraagd;warme_overdracht",
    "energie": "signal_id,postcode,house_number,house_number_suffix,birth_date,arrears_amount,"
    "arrears_since,signal_date,days_overdue,end_of_supply_date,warm_handover",
    "zorg": "SIGNAALNR;BSN;POSTCODE;HUISNR;HUISNR_TOEV;GEBDAT;ACHTERSTAND;MAANDEN_ACHTERSTAND;"
    "DATUM_ONTSTAAN;DATUM_SIGNAAL;CAK_AANMELDING",
    "nazorg": "dossier_id;postcode;huisnummer;toevoeging;einddatum_traject;uitkomst",
}
WATER_HEADER = ["Kenmerk", "Postcode", "Huisnr", "Toev", "Geb.datum", "Openstaand bedrag",
                "Oudste factuurdatum", "Signaaldatum"]  # fmt: skip
BANK_KEYS = ["referral_id", "postcode", "house_number", "suffix", "consent", "indicators",
             "referral_date"]  # fmt: skip
ENCODING = {"domesta": "utf-8-sig", "energie": "utf-8", "zorg": "latin-1", "nazorg": "utf-8"}
DELIMITER = {"domesta": ";", "energie": ",", "zorg": ";", "nazorg": ";"}
POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")


SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


@pytest.fixture(scope="module", params=["generated", "committed sample"])
def town(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly generated town, and the committed sample municipality (data/sample)."""
    if request.param == "committed sample":
        return SAMPLE
    out = tmp_path_factory.mktemp("town")
    generate(3000, 12, seed=7, start=START, out=out)
    return out


def test_the_committed_sample_is_what_its_command_generates(tmp_path: Path) -> None:
    generate(24_000, 12, seed=118, start=START, out=tmp_path)
    fresh = _hashes(tmp_path)
    committed = {k: v for k, v in _hashes(SAMPLE).items() if k != "README.md"}
    assert fresh == committed


@pytest.fixture(scope="module")
def clean_town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(1000, 4, seed=11, start=START, out=out, defect_rate=0.0)
    return out


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _read_signals(inbox: Path) -> list[tuple[str, date, str, str]]:
    """(partner, delivery date, signal id, address key) for every readable row of the inbox."""
    out: list[tuple[str, date, str, str]] = []
    for partner in ("domesta", "energie", "zorg"):
        for path in sorted((inbox / partner).glob("*.csv")):
            text = path.read_bytes().decode(ENCODING[partner])
            rows = list(csv.reader(io.StringIO(text), delimiter=DELIMITER[partner]))
            if not rows or DELIMITER[partner].join(rows[0]) != HEADERS[partner]:
                continue  # a broken file (missing column) is not read
            offset = 1 if partner == "zorg" else 0
            for row in rows[1:]:
                if len(row) == len(rows[0]):
                    key = _address(row[1 + offset], row[2 + offset], row[3 + offset])
                    out.append((partner, date.fromisoformat(path.stem), row[0], key))
    for path in sorted((inbox / "water").glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path, read_only=True)["Signalen"]
        values = list(sheet.iter_rows(values_only=True))
        if list(values[0]) != WATER_HEADER:
            continue
        for row in values[1:]:
            key = _address(str(row[1]), str(row[2]), row[3] or "")
            out.append(("water", date.fromisoformat(path.stem), str(row[0]), key))
    for path in sorted((inbox / "bank").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue  # the truncated last line of a broken file
            if list(item) == BANK_KEYS and item["consent"] is True:
                key = _address(item["postcode"], str(item["house_number"]), item["suffix"])
                out.append(("bank", date.fromisoformat(path.stem), item["referral_id"], key))
    return out


def _address(postcode: str, number: str, suffix: str) -> str:
    return f"{postcode.replace(' ', '').upper()}|{number}|{suffix.upper()}"


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(400, 3, seed=seed, start=START, out=tmp_path / name)
    first, second, other = (_hashes(tmp_path / n) for n in "abc")
    assert any(k.endswith(".xlsx") for k in first)
    assert first == second
    assert first != other


def test_new_signal_rate_and_partner_mix_match_domain_figures(town: Path) -> None:
    signals = _read_signals(town / "inbox")
    first_seen: dict[tuple[str, str], date] = {}
    for partner, delivered, signal_id, _ in signals:
        key = (partner, signal_id)
        first_seen[key] = min(first_seen.get(key, delivered), delivered)
    first_month = min(first_seen.values()).strftime("%Y-%m")
    # The first month's files hold the stock of old arrears; new signals are counted after it.
    new = [(p, d) for (p, _), d in first_seen.items() if d.strftime("%Y-%m") != first_month]
    months = len({d.strftime("%Y-%m") for _, d in new})
    with gzip.open(town / "truth" / "households.csv.gz", "rt", encoding="utf-8") as handle:
        inhabitants = sum(int(r["inhabitants"]) for r in csv.DictReader(handle, delimiter=";"))
    per_1000 = len(new) / months / inhabitants * 1000
    zorg_share = sum(p == "zorg" for p, _ in new) / len(new)
    assert per_1000 == pytest.approx(4.0, rel=0.25)
    assert zorg_share == pytest.approx(0.45, rel=0.25)
    assert {p for p, _ in new} == {"domesta", "energie", "water", "zorg", "bank"}


def test_about_half_of_signalled_households_signal_at_several_partners(town: Path) -> None:
    seen: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for partner, delivered, _, address in _read_signals(town / "inbox"):
        seen[address].append((delivered, partner))
    multiple = 0
    for events in seen.values():
        multiple += any(
            p1 != p2 and abs((d1 - d2).days) <= 183 for d1, p1 in events for d2, p2 in events
        )
    # Tolerance 0.35–0.65 around DOMAIN.md's "almost half" (a 3,000-household town is noisy).
    assert 0.35 <= multiple / len(seen) <= 0.65


def test_defects_are_listed_at_about_the_configured_rate(tmp_path: Path) -> None:
    summary = generate(3000, 6, seed=5, start=START, out=tmp_path, defect_rate=0.1)
    defects = _defects(tmp_path)
    row_defects = [d for d in defects if d["expected"] != "reject_file"]
    rate = len(row_defects) / sum(summary.rows_per_partner.values())
    assert 0.07 <= rate <= 0.13
    common = {"malformed_postcode", "duplicate_row", "future_date", "non_numeric_amount"}
    assert {d["kind"] for d in defects} >= common | {"outside_municipality"}
    broken = {d["file"] for d in defects if d["expected"] == "reject_file"}
    for d in defects:
        path = tmp_path / "inbox" / d["file"]
        assert path.is_file()
        if d["file"] in broken or path.suffix != ".csv":
            continue
        partner = path.parent.name
        lines = path.read_bytes().decode(ENCODING[partner]).splitlines()
        fields = lines[int(d["line"]) - 1].split(DELIMITER[partner])
        if d["kind"] == "invalid_bsn":
            assert not passes_eleven_test(fields[1])
        if d["kind"] == "duplicate_row":
            assert lines[int(d["line"]) - 1] == lines[int(d["line"]) - 2]
        if d["kind"] == "malformed_postcode":
            postcode = fields[2 if partner == "zorg" else 1]
            assert not POSTCODE.match(postcode) or postcode[-2:].upper() in ("SA", "SD", "SS")


def _defects(root: Path) -> list[dict[str, str]]:
    with (root / "truth" / "defects.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_default_defect_rate_is_about_one_percent(town: Path) -> None:
    with gzip.open(town / "truth" / "signals.csv.gz", "rt", encoding="utf-8") as handle:
        rows = sum(1 for _ in handle) - 1
    row_defects = [d for d in _defects(town) if d["expected"] != "reject_file"]
    # Binomial noise on ~1,500 rows: accept 0.4%–1.8% around the default 1%.
    assert 0.004 <= len(row_defects) / rows <= 0.018


def test_defect_rate_zero_gives_clean_files(clean_town: Path) -> None:
    defects = (clean_town / "truth" / "defects.csv").read_text("utf-8").splitlines()
    assert defects == ["file;line;kind;column;expected"]
    rows = 0
    for partner in ("domesta", "energie", "zorg", "nazorg"):
        for path in sorted((clean_town / "inbox" / partner).glob("*.csv")):
            text = path.read_bytes().decode(ENCODING[partner])
            for row in list(csv.reader(io.StringIO(text), delimiter=DELIMITER[partner]))[1:]:
                rows += 1
                offset = 1 if partner == "zorg" else 0
                assert POSTCODE.match(row[1 + offset]) and row[2 + offset].isdigit()
                if partner == "zorg":
                    assert passes_eleven_test(row[1])
                    days = (_yyyymmdd(row[9]) - _yyyymmdd(row[8])).days
                    assert row[10] == "1" or 30 <= days <= 100  # the zorg window
    assert rows > 50


def _yyyymmdd(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


def test_text_feeds_have_the_exact_header_bytes_and_dialect(clean_town: Path) -> None:
    inbox = clean_town / "inbox"
    for partner, header in HEADERS.items():
        files = sorted((inbox / partner).glob("*.csv"))
        assert files, partner
        raw = files[-1].read_bytes()
        crlf = partner in ("domesta", "zorg")
        expected = ("\ufeff" if partner == "domesta" else "") + header + ("\r\n" if crlf else "\n")
        assert raw.startswith(expected.encode("utf-8"))
        assert raw.count(b"\r\n") == (raw.count(b"\n") if crlf else 0)
    domesta = sorted((inbox / "domesta").glob("*.csv"))[-1].read_text("utf-8-sig")
    assert re.search(r";\d{1,3}(\.\d{3})*,\d{2};\d+,\d;\d{2}-\d{2}-\d{4};", domesta)
    bank_lines = [
        line
        for p in sorted((inbox / "bank").glob("*.jsonl"))
        for line in p.read_text("utf-8").splitlines()
    ]
    assert bank_lines
    assert all(list(json.loads(line)) == BANK_KEYS for line in bank_lines)


def test_water_is_excel_with_date_cells_and_numeric_amounts(clean_town: Path) -> None:
    path = sorted((clean_town / "inbox" / "water").glob("*.xlsx"))[-1]
    sheet = openpyxl.load_workbook(path)["Signalen"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == WATER_HEADER
    for row in rows[1:]:
        assert isinstance(row[2], int) and isinstance(row[5], float) and row[5] > 0
        assert all(isinstance(row[i], datetime) for i in (4, 6, 7))


def test_reference_addresses_are_unique_and_well_formed(clean_town: Path) -> None:
    text = (clean_town / "reference" / "adressen.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert text.startswith(
        "postcode;huisnummer;toevoeging;wijkcode;wijknaam;buurtcode;straat;woonplaats\n"
    )
    keys = {(r["postcode"], r["huisnummer"], r["toevoeging"]) for r in rows}
    assert len(keys) == len(rows)
    assert all(re.fullmatch(r"[1-9]\d{3} [A-Z]{2}", r["postcode"]) for r in rows)
    assert not any(r["postcode"][-2:] in ("SA", "SD", "SS") for r in rows)
    assert all(re.fullmatch(r"WK0118\d{2}", r["wijkcode"]) for r in rows)
    # Every address has a street and a place; one postcode lies in one street and one place.
    assert all(re.fullmatch(r"[A-Z][a-z]+", r["straat"]) for r in rows)
    places = {r["woonplaats"] for r in rows}
    assert {"Hoogeveen", "Pesse", "Hollandscheveld"} <= places
    per_postcode = defaultdict(set)
    for r in rows:
        per_postcode[r["postcode"]].add((r["straat"], r["woonplaats"]))
    assert all(len(v) == 1 for v in per_postcode.values())


def test_wijk_figures_add_up_to_the_households(town: Path) -> None:
    text = (town / "reference" / "wijken.csv").read_text("utf-8")
    assert text.startswith("wijkcode;wijknaam;inwoners;huishoudens\n")
    wijken = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    with gzip.open(town / "truth" / "households.csv.gz", "rt", encoding="utf-8") as handle:
        households = list(csv.DictReader(handle, delimiter=";"))
    assert sum(int(w["huishoudens"]) for w in wijken) == len(households)
    assert sum(int(w["inwoners"]) for w in wijken) == sum(int(h["inhabitants"]) for h in households)
    for w in wijken:
        mine = [h for h in households if h["wijkcode"] == w["wijkcode"]]
        assert int(w["huishoudens"]) == len(mine)
        assert {h["wijknaam"] for h in mine} == {w["wijknaam"]}


def test_a_signal_id_stays_with_one_household(town: Path) -> None:
    with gzip.open(town / "truth" / "signals.csv.gz", "rt", encoding="utf-8") as handle:
        owners: dict[tuple[str, str], set[str]] = defaultdict(set)
        for r in csv.DictReader(handle, delimiter=";"):
            owners[(r["partner"], r["signal_id"])].add(r["household_id"])
    assert all(len(v) == 1 for v in owners.values())
    assert sum(len(v) for v in owners.values()) > 300


def test_household_truth_is_plausible(town: Path) -> None:
    with gzip.open(town / "truth" / "households.csv.gz", "rt", encoding="utf-8") as handle:
        households = list(csv.DictReader(handle, delimiter=";"))
    assert len(households) == (24_000 if town == SAMPLE else 3000)
    per_household = sum(int(h["inhabitants"]) for h in households) / len(households)
    assert 2.1 <= per_household <= 2.5  # ≈55k inhabitants for 24k households
    assert all(passes_eleven_test(h["bsn"]) for h in households)
    young = [h for h in households if h["young_adult"] == "True"]
    for h in young:
        age = (START - date.fromisoformat(h["head_birth_date"])).days / 365.25
        assert 18 <= age < 28


def test_eleven_test_examples() -> None:
    assert passes_eleven_test("111222333")
    assert passes_eleven_test("123456782")
    assert not passes_eleven_test("123456789")
    assert not passes_eleven_test("12345678")


def test_rejects_bad_arguments_and_a_used_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(10, 3, seed=1, start=START, out=tmp_path)
    with pytest.raises(ValueError):
        generate(100, 3, seed=1, start=START, out=tmp_path, defect_rate=0.9)
    generate(100, 1, seed=1, start=START, out=tmp_path)
    with pytest.raises(FileExistsError):
        generate(100, 1, seed=1, start=START, out=tmp_path)
