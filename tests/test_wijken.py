"""The optional wijk key figures (reference/wijken.csv) and the optional street columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors.reference import read_reference
from connectors.wijken import WijkFiguresError, read_wijken, wijken_path

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "reference"


def test_wijk_figures_are_read_with_whole_numbers(tmp_path: Path) -> None:
    path = tmp_path / "wijken.csv"
    path.write_text(
        "\ufeffwijkcode;wijknaam;inwoners;huishoudens\n"
        "WK011800 ;Hoogeveen-Centrum;5580;2401\n"
        "WK011808;Pesse;3100;1440\n",
        encoding="utf-8",
    )
    wijken = read_wijken(path)
    assert wijken is not None
    assert wijken.values.tolist() == [
        ["WK011800", "Hoogeveen-Centrum", 5580, 2401],
        ["WK011808", "Pesse", 3100, 1440],
    ]
    assert [str(t) for t in wijken.dtypes] == ["string", "string", "int64", "int64"]


def test_without_the_file_there_are_no_denominators(tmp_path: Path) -> None:
    assert read_wijken(tmp_path / "wijken.csv") is None
    assert wijken_path(tmp_path / "adressen.csv") == tmp_path / "wijken.csv"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("wijkcode;wijknaam;inwoners\nWK1;A;3\n", "lacks column(s): huishoudens"),
        ("wijkcode;wijknaam;inwoners;huishoudens\nWK1;A;3;1\nWK2;B;-4;1\n", "inwoners"),
        ("wijkcode;wijknaam;inwoners;huishoudens\nWK1;A;3;1\nWK2;B;4;1,5\n", "line(s) 3"),
        ("wijkcode;wijknaam;inwoners;huishoudens\nWK1;A;3;1\nWK1;B;4;1\n", "twice on line(s) 2, 3"),
        ("wijkcode;wijknaam;inwoners;huishoudens\n;A;3;1\n", "wijkcode is empty on line(s) 2"),
    ],
)
def test_unusable_wijk_figures_are_a_clear_error(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "wijken.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(WijkFiguresError, match=re.escape(message)):
        read_wijken(path)


def test_street_and_place_are_kept_where_the_list_has_them(tmp_path: Path) -> None:
    path = tmp_path / "adressen.csv"
    path.write_text(
        "postcode;huisnummer;toevoeging;wijkcode;wijknaam;buurtcode;straat;woonplaats\n"
        "7906 kl;16;b;WK011803;Hoogeveen-Oost;BU01180301; Kerkstraat ;Hoogeveen\n"
        "7933AB;3;;WK011808;Pesse;BU01180802;;\n",
        encoding="utf-8",
    )
    reference = read_reference(path)
    assert reference["straat"].tolist()[0] == "Kerkstraat"
    assert reference["woonplaats"].tolist()[0] == "Hoogeveen"
    # An empty cell is a missing street, so the task list falls back to the house number.
    assert reference[["straat", "woonplaats"]].iloc[1].isna().all()
    assert str(reference["straat"].dtype) == "string"


def test_the_sample_has_streets_and_wijk_figures() -> None:
    reference = read_reference(SAMPLE / "adressen.csv")
    assert reference["straat"].notna().all() and reference["woonplaats"].notna().all()
    wijken = read_wijken(wijken_path(SAMPLE / "adressen.csv"))
    assert wijken is not None
    assert set(wijken["wijkcode"]) == set(reference["wijkcode"])
    assert int(wijken["huishoudens"].sum()) == 24_000
