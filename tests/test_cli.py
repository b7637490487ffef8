"""The ``vroegsignaal`` command line: help, a night via ``run``, feedback export, import errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cli.main import app
from tests.flow_fixtures import (  # noqa: F401  (fixtures)
    EXAMPLE_NIGHT,
    Municipality,
    municipality_fixture,
    prefect_harness_fixture,
)

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for command in ("run", "backfill", "demo", "retention", "serve", "export", "import"):
        assert command in result.output


def test_run_refuses_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VS_DEMO", "false")
    monkeypatch.delenv("VS_PSEUDONYM_KEY", raising=False)
    result = runner.invoke(app, ["run", "--as-of", "2026-10-05"])
    assert result.exit_code == 2
    assert "VS_PSEUDONYM_KEY" in result.output


def _rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)


def _contact_attempts(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(sa.text("SELECT count(*) FROM contact_attempts")).scalar_one()
            )
    finally:
        engine.dispose()


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
def test_a_night_from_the_command_line_then_feedback_and_a_refused_import(
    municipality: Municipality, tmp_path: Path
) -> None:
    from connectors.exports import columns as col

    municipality.deliver(EXAMPLE_NIGHT)
    result = runner.invoke(
        app,
        [
            "run",
            "--as-of",
            EXAMPLE_NIGHT.isoformat(),
            "--inbox",
            str(municipality.inbox),
            "--reference",
            str(municipality.reference),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "domesta" in result.output and "Loket Geldzaken" in result.output
    task_lists = sorted((municipality.data_dir / "exports" / "taken").rglob("*.csv"))
    assert task_lists

    feedback = tmp_path / "terugkoppeling_domesta.csv"
    result = runner.invoke(
        app, ["export", "feedback", "--partner", "Domesta", "--out", str(feedback)]
    )
    assert result.exit_code == 0, result.output  # any case names the partner
    assert f"signalen → {feedback}" in result.output
    unknown = runner.invoke(app, ["export", "feedback", "--partner", "dmesta", "--out", "x.csv"])
    assert unknown.exit_code == 2 and "unknown partner" in unknown.output

    # Every export that opens addresses or raw rows is in the audit log, with how many.
    for command in (
        ["export", "tasks", "--out", str(tmp_path / "lijsten")],
        ["export", "ddas", "--from", "2026-10-01", "--to", "2026-10-31"],
        ["quarantine", "export"],
    ):
        done = runner.invoke(app, command)
        assert done.exit_code == 0, done.output
        assert "→" in done.output  # says what it wrote, in counts
    assert list((municipality.data_dir / "exports" / "ddas").glob("ddas_*.json"))
    assert list(
        (municipality.data_dir / "exports" / "quarantaine").glob("*/geweigerde_bestanden.csv")
    )
    log = runner.invoke(app, ["audit", "--limit", "100"])
    assert log.exit_code == 0, log.output
    for action in ("open_addresses", "open_raw_rows"):
        assert action in log.output
    assert "ddas_report" in log.output and "task_list" in log.output
    text = feedback.read_bytes().decode("utf-8-sig").lower()
    assert "dom-2026-00417" in text
    assert "opgepakt" in text
    assert "7906" not in text  # no address goes back to the partner

    # A filled-in task list with an impossible date: refused whole, with the cell named.
    rows = _rows(task_lists[0])
    rows[0][col.attempt_column(1, "datum")] = "31-02-2026"
    filled = tmp_path / "ingevuld.csv"
    _write(filled, rows)
    result = runner.invoke(app, ["import", "results", str(filled)])
    assert result.exit_code == 1, result.output
    assert "rij 2" in result.output
    assert "geen geldige datum" in result.output
    assert _contact_attempts(municipality.database_url) == 0

    not_a_task_list = tmp_path / "iets.csv"
    not_a_task_list.write_text("a;b\n1;2\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "results", str(not_a_task_list)])
    assert result.exit_code == 1
    assert "geen takenlijst" in result.output


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
def test_a_filled_in_xlsx_task_list_records_attempts_and_closes_the_case(
    municipality: Municipality, tmp_path: Path
) -> None:
    import openpyxl

    municipality.deliver(EXAMPLE_NIGHT)
    assert runner.invoke(app, ["run", "--as-of", EXAMPLE_NIGHT.isoformat()]).exit_code == 0
    out = tmp_path / "lijsten"
    result = runner.invoke(app, ["export", "tasks", "--out", str(out), "--team", "Nazorg"])
    assert result.exit_code == 0, result.output
    [sheet_path] = sorted(out.glob("*.xlsx"))

    workbook = openpyxl.load_workbook(sheet_path)
    sheet = workbook["Taken"]
    header = [cell.value for cell in sheet[1]]
    from connectors.exports import columns as col

    assert header[: len(col.TASK_COLUMNS)] == list(col.TASK_COLUMNS)
    task_id = sheet.cell(row=2, column=header.index("Taak-ID") + 1).value
    for column, value in {
        "Poging 1 soort": "Huisbezoek",
        "Poging 1 datum": EXAMPLE_NIGHT,
        "Poging 1 dagdeel": "Middag",
        "Poging 1 bereikt": "ja",
        "Resultaat": "Vervolghulp en/of verwijzing financieel",
        "Resultaat datum": EXAMPLE_NIGHT,
    }.items():
        sheet.cell(row=2, column=header.index(column) + 1).value = value
    workbook.save(sheet_path)

    said = []
    for _ in range(2):  # the same list imported twice records the attempt once
        result = runner.invoke(app, ["import", "results", str(sheet_path)])
        assert result.exit_code == 0, result.output
        said.append(result.output)
    assert "1 nieuwe contactpoging " in said[0]
    assert "0 nieuwe contactpogingen (1 al bekend)" in said[1]
    assert "(1 zaak al afgesloten)" in said[1]
    engine = sa.create_engine(municipality.database_url)
    try:
        with engine.connect() as connection:
            attempts = connection.execute(
                sa.text("SELECT contact_kind, part_of_day, reached FROM contact_attempts")
            ).all()
            case = connection.execute(
                sa.text(
                    "SELECT c.status, c.result, t.status FROM tasks t "
                    "JOIN cases c ON c.case_id = t.case_id WHERE t.task_id = :task"
                ),
                {"task": task_id},
            ).one()
    finally:
        engine.dispose()
    assert [tuple(a) for a in attempts] == [("Huisbezoek", "Middag", 1)]
    assert tuple(case) == ("closed", "Vervolghulp en/of verwijzing financieel", "afgerond")


def test_a_command_on_a_database_without_a_night_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VS_DEMO", "true")
    monkeypatch.setenv("VS_DATA_DIR", str(tmp_path / "leeg"))
    for command in (
        ["import", "results", str(tmp_path / "lijst.xlsx")],
        ["export", "tasks", "--out", str(tmp_path)],
        ["quarantine", "export"],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "No night has run on this database" in result.output
    assert not (tmp_path / "leeg" / "vroegsignaal.db").exists()  # nothing made silently


def test_demo_and_data_dir_are_one_or_the_other(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--demo", "--data-dir", str(tmp_path), "audit"])
    assert result.exit_code == 2 and "either --demo or --data-dir" in result.output
