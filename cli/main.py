"""``vroegsignaal``: generate sample data, run the nightly flow, export and import work."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="Early warning of payment arrears for Dutch municipalities.",
    no_args_is_help=True,
    add_completion=False,
)
export_app = typer.Typer(
    help="Write task lists, the DDAS report or partner feedback.", no_args_is_help=True
)
import_app = typer.Typer(help="Read filled-in task lists back.", no_args_is_help=True)
app.add_typer(export_app, name="export")
quarantine_app = typer.Typer(
    help="Quarantined rows: export them for correction, take corrections back (data steward).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")
app.add_typer(quarantine_app, name="quarantine")
console = Console(stderr=True)

DateOption = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])]
PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT / "data" / "sample"
DEMO_DIR = PROJECT / "var" / "demo"
DEMO_MARKER = ".vroegsignaal-demo"


def _check_secrets() -> None:
    """Refuse early, with the variable to set, instead of deep inside a flow run."""
    from connectors.settings import SettingsError, get_settings

    settings = get_settings()
    try:
        settings.pseudonym_key_bytes()
        settings.vault_key_bytes()
    except SettingsError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None


def _apply(**values: object) -> None:
    """Command-line options override the VS_ environment for this process (and its flows)."""
    for name, value in values.items():
        if value is not None:
            os.environ[f"VS_{name.upper()}"] = str(value)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Directory to write inbox/, reference/, truth/ to")],
    households: Annotated[int, typer.Option(help="Number of households")] = 24_000,
    months: Annotated[int, typer.Option(help="Months of deliveries")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same bytes)")] = 118,
    start: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"])] = dt.datetime(2025, 11, 1),
    defect_rate: Annotated[float, typer.Option(help="Share of rows with a defect")] = 0.01,
) -> None:
    """Write a synthetic municipality: partner deliveries, address list and ground truth."""
    from synthetic.generator import generate as run_generator

    summary = run_generator(households, months, seed, start.date(), out, defect_rate)
    console.print(
        f"{summary.households} households, {summary.inhabitants} inhabitants, "
        f"{summary.months} months, {len(summary.files_written)} files, "
        f"{summary.defects} defects → {out}"
    )
    for partner, rows in sorted(summary.rows_per_partner.items()):
        console.print(f"  {partner}: {rows} rows")


@app.command()
def run(
    inbox: Annotated[Path | None, typer.Option(help="Inbox root (VS_INBOX)")] = None,
    reference: Annotated[Path | None, typer.Option(help="adressen.csv (VS_REFERENCE)")] = None,
    as_of: DateOption = None,
) -> None:
    """Run the nightly flow: every delivery up to --as-of (default today) not yet loaded."""
    _apply(inbox=inbox, reference=reference)
    _check_secrets()
    from connectors.settings import get_settings
    from flows.runner import nightly_for

    settings = get_settings()  # VS_DASK_ADDRESS / VS_DASK_LOCAL_WORKERS: scale out on Dask
    night = (as_of or dt.datetime.now()).date()
    with _progress() as listener:
        from flows.progress import listening

        with listening(listener):
            report = nightly_for(settings)(as_of=night)
    _summary(report)


@app.command()
def backfill(
    start: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    end: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    inbox: Annotated[Path | None, typer.Option(help="Inbox root (VS_INBOX)")] = None,
    reference: Annotated[Path | None, typer.Option(help="adressen.csv (VS_REFERENCE)")] = None,
) -> None:
    """Replay [--from, --to] night by night through the nightly flow."""
    _apply(inbox=inbox, reference=reference)
    _check_secrets()
    _backfill(start.date(), end.date())


@app.command()
def demo(
    keep: Annotated[bool, typer.Option(help="Keep an earlier demo database")] = False,
) -> None:
    """Replay the sample municipality's year into var/demo with the public demo keys.

    The demo never touches a configured installation: it ignores VS_DATA_DIR and
    VS_DATABASE_URL and the keys, and only ever deletes a folder it made itself.
    """
    data_dir = DEMO_DIR
    marker = data_dir / DEMO_MARKER
    if data_dir.exists() and not keep:
        if not marker.exists():
            console.print(
                f"[red]{data_dir} exists but was not made by the demo; not touching it[/red]"
            )
            raise typer.Exit(code=2)
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    marker.write_text("made by 'vroegsignaal demo'; safe to delete\n", encoding="utf-8")
    for name in ("VS_DATABASE_URL", "VS_PSEUDONYM_KEY", "VS_VAULT_KEY", "VS_EXPORT_DIR"):
        os.environ.pop(name, None)
    _apply(
        demo="true",
        data_dir=data_dir,
        inbox=SAMPLE / "inbox",
        reference=SAMPLE / "reference" / "adressen.csv",
    )
    from connectors.catalog import load_catalog
    from connectors.inbox import discover_deliveries

    dates = [
        d.delivery_date for d in discover_deliveries(SAMPLE / "inbox", load_catalog()).deliveries
    ]
    console.print(f"Demo: replaying {min(dates)} .. {max(dates)} into {data_dir}")
    _backfill(min(dates), max(dates))
    console.print(f"Task lists: {data_dir / 'exports'}")


@app.command()
def retention(as_of: DateOption = None) -> None:
    """Delete what the retention policy allows (never open cases); counts go to the audit log."""
    _check_secrets()
    from flows.retention import retention as retention_flow

    counts = retention_flow(as_of=(as_of or dt.datetime.now()).date())
    for name, count in counts.items():
        console.print(f"{name}: {count}")


@app.command()
def serve() -> None:
    """Run the nightly (02:00) and retention (03:30) schedules on this machine (Ctrl-C stops)."""
    from prefect import serve as prefect_serve

    from flows.deployments import deployments

    prefect_serve(*deployments())


@export_app.command("tasks")
def export_tasks(
    out: Annotated[Path, typer.Option(help="Directory for the CSV and XLSX files")],
    team: Annotated[str | None, typer.Option(help="Only this team")] = None,
) -> None:
    """Open tasks per team, with addresses, as CSV and XLSX (Dutch headers, drop-down lists)."""
    from connectors.exports.outreach import export_team_task_lists

    res = _resources()
    for path in export_team_task_lists(res.engine, res.vault, out, dt.date.today(), team):
        console.print(str(path))


@export_app.command("ddas")
def export_ddas(
    start: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    end: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    out: Annotated[Path, typer.Option(help="JSON file to write")],
) -> None:
    """The DDAS v1.2 exchange file for CBS for a period."""
    from connectors.exports.reports import export_ddas as run_export

    res = _resources()
    console.print(
        str(run_export(res.engine, res.vault, res.settings, start.date(), end.date(), out))
    )


@export_app.command("feedback")
def export_feedback(
    partner: Annotated[str, typer.Option(help="Partner id from the catalog, e.g. domesta")],
    out: Annotated[Path, typer.Option(help="CSV file to write")],
) -> None:
    """Per signal only "opgepakt" / "niet opgepakt" for one partner (never the reason)."""
    from connectors.exports.reports import export_feedback as run_export

    console.print(str(run_export(_resources().engine, partner, out)))


@import_app.command("results")
def import_results(file: Annotated[Path, typer.Argument(help="Filled-in task list")]) -> None:
    """Record contact attempts and results from a filled-in task list (all or nothing)."""
    from connectors.exports.reports import import_results as run_import
    from connectors.exports.results_import import ImportRejected

    try:
        result = run_import(_resources().engine, file, dt.date.today(), actor="cli")
    except ImportRejected as rejected:
        for error in rejected.errors:
            console.print(
                f"{error.sheet} rij {error.row}, {error.column}: {error.message_nl}"
                f" / {error.message_en}"
            )
        raise typer.Exit(code=1) from None
    console.print(f"{len(result.attempts)} contactpogingen, {len(result.results)} resultaten")


@quarantine_app.command("export")
def quarantine_export(
    out: Annotated[Path, typer.Option(help="Directory for quarantaine_<partner>.csv")],
    partner: Annotated[str | None, typer.Option(help="Only this partner")] = None,
) -> None:
    """Open quarantined rows with their raw fields (identifying: for the data steward only)."""
    from connectors.database.engine import session_scope
    from connectors.quarantine import export_open_quarantine

    res = _resources()
    with session_scope(res.engine) as session:
        for path in export_open_quarantine(session, res.vault, out, partner):
            console.print(str(path))


@quarantine_app.command("resubmit")
def quarantine_resubmit(file: Annotated[Path, typer.Argument(help="Corrected CSV")]) -> None:
    """Validate and load corrected rows; rows failing again return to the quarantine."""
    from flows.resubmit import resubmit

    outcome = resubmit(_resources().settings, file)
    f = outcome.figures
    console.print(f"ontvangen {f.received}, geaccepteerd {f.accepted}, quarantaine {f.quarantined}")
    if f.rejected_files:
        console.print("; ".join(f.rejection_reasons))
        raise typer.Exit(code=1)


def _resources() -> Any:
    _check_secrets()
    from connectors.settings import get_settings
    from flows.resources import resources

    return resources(get_settings())


def _backfill(start: dt.date, end: dt.date) -> None:
    from flows.backfill import backfill as backfill_flow
    from flows.progress import listening

    with _progress() as listener, listening(listener):
        report = backfill_flow(start=start, end=end)
    _summary(report)


class _Bars:
    """Progress bars per stage, fed by flow announcements."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.nights: Any = None
        self.deliveries: Any = None

    def __call__(self, event: str, details: dict[str, Any]) -> None:
        if event == "nights":
            self.nights = self.progress.add_task("Nachten / nights", total=details["count"])
        elif event == "night-done" and self.nights is not None:
            self.progress.advance(self.nights)
        elif event == "deliveries":
            if self.deliveries is not None:
                self.progress.remove_task(self.deliveries)
            self.deliveries = self.progress.add_task(
                "Leveringen / deliveries", total=details["count"]
            )
        elif event == "delivery-done" and self.deliveries is not None:
            self.progress.advance(self.deliveries)


class _progress:  # noqa: N801 - used as a context manager like a function
    def __enter__(self) -> _Bars:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._progress.__enter__()
        return _Bars(self._progress)

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)


def _summary(report: Any) -> None:
    """A short Dutch/English summary table: aggregates only."""
    table = Table(title=f"Samenvatting / summary {report.as_of}")
    for column in (
        "partner",
        "leveringen / deliveries",
        "ontvangen / received",
        "geaccepteerd / accepted",
        "quarantaine / quarantined",
        "afgewezen bestanden / rejected files",
    ):
        table.add_column(column, justify="right" if column != "partner" else "left")
    for row in report.partner_rows():
        table.add_row(*(str(v) for v in row.values()))
    Console().print(table)
    teams = Table(title="Open taken per team / open tasks per team")
    teams.add_column("team")
    teams.add_column("open", justify="right")
    teams.add_column("boven capaciteit / over capacity", justify="right")
    for team, count in sorted(report.tasks_per_team.items()):
        teams.add_row(team, str(count), str(report.over_capacity_per_team.get(team, 0)))
    Console().print(teams)
    Console().print(
        f"Signalen beoordeeld / signals triaged: {report.signals_decided}, "
        f"opgepakt / picked up: {report.picked_up}, zaken geopend / cases opened: "
        f"{report.cases_opened}"
    )
