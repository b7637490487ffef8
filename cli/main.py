"""``vroegsignaal``: generate sample data, run the nightly flow, export and import work."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

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
keys_app = typer.Typer(
    help="The vault keys: re-seal everything under a new key.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
report_app = typer.Typer(
    help="Reports for analysts and the council (aggregates only, small counts hidden).",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")
users_app = typer.Typer(
    help="Accounts of the web application: the first administrator, users, API tokens.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")
model_app = typer.Typer(
    help="The risk models: list them, promote one to order the work, or retire it.",
    no_args_is_help=True,
)
app.add_typer(model_app, name="model")
console = Console(stderr=True)
out = Console(soft_wrap=True)  # paths and commands stay on one line, copyable
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

DateOption = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])]
PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT / "data" / "sample"
DEMO_DIR = PROJECT / "var" / "demo"
DEMO_MARKER = ".vroegsignaal-demo"


@app.callback()
def main(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Work on the demo's data (var/demo, made by 'vroegsignaal demo') with its "
            "public keys, e.g. 'vroegsignaal --demo export tasks --out lijsten/'.",
        ),
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Data directory of the installation (VS_DATA_DIR)", show_default=False),
    ] = None,
) -> None:
    """Early warning of payment arrears for Dutch municipalities."""
    if demo and data_dir is not None:
        console.print("[red]Use either --demo or --data-dir, not both[/red]")
        raise typer.Exit(code=2)
    if demo:
        _use_demo()
    elif data_dir is not None:
        os.environ["VS_DATA_DIR"] = str(data_dir)


def _use_demo() -> None:
    """Point this process at the demo's folder, database and public keys."""
    for name in (
        "VS_DATABASE_URL",
        "VS_PSEUDONYM_KEY",
        "VS_VAULT_KEY",
        "VS_RAW_KEY",
        "VS_EXPORT_DIR",
    ):
        os.environ.pop(name, None)
    _apply(
        demo="true",
        data_dir=DEMO_DIR,
        inbox=SAMPLE / "inbox",
        reference=SAMPLE / "reference" / "adressen.csv",
    )


def today() -> dt.date:
    """Today in Amsterdam: the night and working day a municipality means."""
    return dt.datetime.now(AMSTERDAM).date()


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


@contextmanager
def _database_errors() -> Iterator[None]:
    """A database that is down or drops mid-run: a plain message and exit code 3.

    Every write is transactional, so what was not committed is rolled back by the database;
    the next run marks the dead run interrupted and catches up. The message never carries SQL
    parameters (they may hold identifying values).
    """
    from sqlalchemy.exc import DBAPIError

    from connectors.database.engine import DatabaseUnavailableError, database_error_text

    try:
        yield
    except DatabaseUnavailableError as error:
        console.print(f"[red]Database unreachable: {error}[/red]")
        raise typer.Exit(code=3) from None
    except DBAPIError as error:
        if not error.connection_invalidated and "OperationalError" not in type(error).__name__:
            raise
        console.print(
            f"[red]The database connection failed during the run ({database_error_text(error)})."
            " What was not committed was rolled back; run the same command again to catch up."
            "[/red]"
        )
        raise typer.Exit(code=3) from None


def _nl(count: int, one: str, many: str) -> str:
    """The Dutch noun for ``count``: 1 resultaat, 2 resultaten, 0 resultaten."""
    return one if count == 1 else many


def _operator() -> str:
    """Who runs the command, for the audit log (the login name, not a person's data)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"


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
    from flows.resources import resources
    from flows.runner import nightly_for
    from flows.server import bound_temporary_server

    settings = get_settings()  # VS_DASK_ADDRESS / VS_DASK_LOCAL_WORKERS: scale out on Dask
    night = as_of.date() if as_of else today()
    with _database_errors():
        resources(settings)  # wait for the database before a flow server is started
        with _progress() as listener, bound_temporary_server():
            from flows.progress import listening

            with listening(listener), _refusal():
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
    with _database_errors():
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
    _use_demo()
    from connectors.catalog import load_catalog
    from connectors.inbox import discover_deliveries

    dates = [
        d.delivery_date for d in discover_deliveries(SAMPLE / "inbox", load_catalog()).deliveries
    ]
    console.print(f"Demo: replaying {min(dates)} .. {max(dates)} into {data_dir}")
    _backfill(min(dates), max(dates))
    out.print(
        f"Takenlijsten / task lists: {data_dir / 'exports' / 'taken' / max(dates).isoformat()}"
    )
    out.print(
        "Verder met de demo / next: vroegsignaal --demo export tasks --out lijsten/ · "
        "vroegsignaal --demo quarantine export --out quarantaine/ · vroegsignaal --demo audit"
    )


@app.command()
def retention(as_of: DateOption = None) -> None:
    """Delete what the retention policy allows (never open cases); counts go to the audit log."""
    _check_secrets()
    from flows.retention import retention as retention_flow
    from flows.server import bound_temporary_server

    with bound_temporary_server():
        counts = retention_flow(as_of=as_of.date() if as_of else today())
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
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for the CSV and XLSX files")],
    team: Annotated[str | None, typer.Option(help="Only this team (any case)")] = None,
) -> None:
    """Open tasks per team, with addresses, as CSV and XLSX (audited: it opens addresses)."""
    from connectors.exports.outreach import export_team_task_lists
    from flows.resources import reference_addresses

    res = _resources(needs_night=True)
    chosen = _team(res, team) if team else None
    paths = export_team_task_lists(
        res.engine,
        res.vault,
        out_dir,
        today(),
        chosen,
        actor="cli",
        reference=reference_addresses(str(res.settings.reference)),
    )
    if not paths:
        out.print("0 open taken; geen bestanden geschreven / no open tasks, no files written")
    for path in paths:
        out.print(f"{_rows_in(path)} taken → {path}")


@export_app.command("ddas")
def export_ddas(
    start: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    end: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="JSON file to write (default: <data dir>/exports/ddas/ddas_<from>_<to>.json, "
            "where retention removes it in time)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """The DDAS v1.2 exchange file for CBS for a period (audited: it holds addresses)."""
    import json

    from connectors.exports.reports import export_ddas as run_export

    res = _resources(needs_night=True)
    if out_file is None:
        name = f"ddas_{start.date().isoformat()}_{end.date().isoformat()}.json"
        out_file = res.settings.ddas_export_dir / name
    path = run_export(res.engine, res.vault, res.settings, start.date(), end.date(), out_file)
    delivery = json.loads(path.read_text(encoding="utf-8"))["leveringen"][0]
    out.print(
        f"{len(delivery['vroegsignalen'])} vroegsignalen, "
        f"{len(delivery['vroegsignaalzaken'])} vroegsignaalzaken → {path}"
    )


@export_app.command("feedback")
def export_feedback(
    partner: Annotated[str, typer.Option(help="Partner id from the catalog, e.g. domesta")],
    out_file: Annotated[Path, typer.Option("--out", help="CSV file to write")],
) -> None:
    """Per signal only "opgepakt" / "niet opgepakt" for one partner (never the reason)."""
    from connectors.exports.reports import export_feedback as run_export

    res = _resources(needs_night=True)
    path = run_export(res.engine, _partner(res, partner), out_file)
    out.print(f"{_rows_in(path)} signalen → {path}")


@report_app.command("monitor")
def report_monitor(
    start: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    end: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Directory for the XLSX and the PNG charts (default: <data dir>/exports/monitor)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """The monitor for [--from, --to] as read on --to: an XLSX with one sheet per table and the
    charts as PNG. Counts below VS_SUPPRESSION_THRESHOLD are shown as "<10"."""
    from connectors.exports.monitor_report import export_monitor_report

    res = _resources(needs_night=True)
    if end < start:
        console.print("[red]--to ligt voor --from / --to lies before --from[/red]")
        raise typer.Exit(code=2)
    target = out_dir or res.settings.monitor_export_dir
    report = export_monitor_report(res.engine, res.settings, start.date(), end.date(), target)
    out.print(f"{len(report.tables)} tabellen → {report.workbook}")
    out.print(f"{len(report.charts)} grafieken → {report.charts[0].parent}")


@import_app.command("results")
def import_results(file: Annotated[Path, typer.Argument(help="Filled-in task list")]) -> None:
    """Record contact attempts and results from a filled-in task list (all or nothing)."""
    from connectors.database.casework import UnknownCaseError, WrongTeamError
    from connectors.database.versions import ConcurrentChangeError
    from connectors.exports.reports import import_results as run_import
    from connectors.exports.results_import import ImportRejected

    res = _resources(needs_night=True)
    try:
        result = run_import(res.engine, file, today(), actor=f"cli:{file.name}")
    except ImportRejected as rejected:
        for error in rejected.errors:
            console.print(
                f"{error.sheet} rij {error.row}, {error.column}: {error.message_nl}"
                f" / {error.message_en}"
            )
        raise typer.Exit(code=1) from None
    except (UnknownCaseError, WrongTeamError, ConcurrentChangeError) as error:
        console.print(f"[red]Niet ingelezen / not imported: {error}[/red]")
        raise typer.Exit(code=1) from None
    attempts, known = result.attempts_added, result.attempts_known
    closed, already = result.results_closed, result.results_already_closed
    out.print(
        f"{attempts} nieuwe {_nl(attempts, 'contactpoging', 'contactpogingen')} ({known} al "
        f"bekend), {closed} {_nl(closed, 'resultaat', 'resultaten')} ({already} "
        f"{_nl(already, 'zaak', 'zaken')} al afgesloten) — team {result.team or '?'}"
    )


@quarantine_app.command("export")
def quarantine_export(
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Directory for quarantaine_<partner>.csv (default: <data dir>/exports/"
            "quarantaine/<today>, where retention removes it in time)",
            show_default=False,
        ),
    ] = None,
    partner: Annotated[str | None, typer.Option(help="Only this partner")] = None,
) -> None:
    """Open quarantined rows with their raw fields, and the refused files (data steward only;
    audited: the raw rows are identifying)."""
    from connectors.database.engine import session_scope
    from connectors.quarantine import export_open_quarantine, write_refused_files

    res = _resources(needs_night=True)
    if out_dir is None:
        out_dir = res.settings.quarantine_export_dir / today().isoformat()
    chosen = _partner(res, partner) if partner else None
    with session_scope(res.engine) as session:
        paths = export_open_quarantine(session, res.raw_vault, out_dir, chosen, actor="cli")
        refused = write_refused_files(session, out_dir)
    if not paths:
        out.print("0 regels in quarantaine / no quarantined rows")
    for path in paths:
        out.print(f"{_rows_in(path)} regels in quarantaine → {path}")
    out.print(f"{_rows_in(refused)} geweigerde bestanden → {refused}")


@quarantine_app.command("list")
def quarantine_list() -> None:
    """Counts of open quarantined rows per partner and reason, and the refused files."""
    from connectors.database import repository as repo
    from connectors.database.engine import session_scope
    from connectors.quarantine import refused_files

    res = _resources(needs_night=True)
    with session_scope(res.engine) as session:
        rows = repo.load_quarantine(session, status="open")
        files = refused_files(session)
    table = Table(title="Open quarantaine / open quarantined rows")
    for column in ("partner", "reden / reason", "regels / rows"):
        table.add_column(column)
    grouped: dict[Any, int] = (
        rows.groupby(["partner", "reason_nl"]).size().to_dict() if len(rows) else {}
    )
    for (partner_id, reason), count in grouped.items():
        table.add_row(str(partner_id), str(reason), str(count))
    out.print(table)
    refused = Table(title="Geweigerde bestanden / refused files")
    for column in ("bestand", "status", "reden", "ontvangen"):
        refused.add_column(column)
    for item in files:
        refused.add_row(item["bestand"], item["status"], item["reden"], item["ontvangen"])
    out.print(refused)


@quarantine_app.command("resubmit")
def quarantine_resubmit(file: Annotated[Path, typer.Argument(help="Corrected CSV")]) -> None:
    """Validate and load corrected rows (a file 'quarantine export' wrote, as it is) and
    triage them at once; rows failing again return to the quarantine."""
    from connectors.quarantine import ResubmissionError
    from flows.resubmit import resubmit

    res = _resources(needs_night=True)
    try:
        outcome = resubmit(res.settings, file, today())
    except (ResubmissionError, KeyError) as error:
        console.print(f"[red]Niet ingelezen / not loaded: {error}[/red]")
        raise typer.Exit(code=1) from None
    f = outcome.figures
    from connectors.database.engine import session_scope
    from connectors.database.runs import audit as write_audit

    with session_scope(res.engine) as session:
        write_audit(
            session,
            f"cli:{_operator()}",
            "resubmit",
            "quarantine",
            None,
            {
                "file": file.name,
                "deliveries": len(outcome.deliveries),
                "accepted": f.accepted,
                "quarantined": f.quarantined,
                "left_open": len(outcome.duplicates),
            },
        )
    out.print(
        f"{len(outcome.deliveries)} levering(en): ontvangen {f.received}, geaccepteerd "
        f"{f.accepted}, opnieuw in quarantaine {f.quarantined}"
    )
    if outcome.triage is not None:
        out.print(
            f"beoordeeld {outcome.triage.signals_decided}, opgepakt {outcome.triage.picked_up}"
        )
    if outcome.duplicates:
        numbers = " ".join(str(i) for i in outcome.duplicates)
        out.print(
            f"{len(outcome.duplicates)} regel(s) herhalen wat al geladen is en "
            "blijven in quarantaine; haal ze weg met: vroegsignaal "
            f"{'--demo ' if res.settings.demo else ''}quarantine dismiss "
            f'{numbers} --reason "dubbele regel"'
        )
    if f.rejected_files:
        console.print("; ".join(f.rejection_reasons))
        raise typer.Exit(code=1)


@quarantine_app.command("dismiss")
def quarantine_dismiss(
    ids: Annotated[list[int], typer.Argument(help="quarantaine_id of the rows")],
    reason: Annotated[str, typer.Option(help="Why, e.g. 'dubbele regel'")],
) -> None:
    """Close quarantined rows without loading them (e.g. duplicates), with a reason; audited."""
    from connectors.database.engine import session_scope
    from connectors.quarantine import ResubmissionError, dismiss

    res = _resources(needs_night=True)
    try:
        with session_scope(res.engine) as session:
            count = dismiss(session, ids, reason, actor="cli")
    except ResubmissionError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=1) from None
    out.print(f"{count} regel(s) uit de quarantaine gehaald / dismissed")


@app.command()
def audit(
    since: DateOption = None,
    action: Annotated[
        str | None, typer.Option(help="Only this action, e.g. open_addresses")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many entries, newest first")] = 50,
) -> None:
    """Read the audit log: who opened addresses or raw rows, imports, closures, deletions."""
    from connectors.database.audit import load_audit_log
    from connectors.database.engine import session_scope

    res = _resources(needs_night=False)
    with session_scope(res.engine) as session:
        entries = load_audit_log(session, since.date() if since else None, action, limit)
    # One line per entry (newest first), whole, so it can be read, searched and kept.
    out.print(f"Auditlog: {len(entries)} regel(s) / entries", highlight=False)
    for entry in entries:
        out.print(
            f"{entry['at']}  {entry['actor']}  {entry['action']}  {entry['entity']}  "
            f"{entry['details']}",
            highlight=False,
            markup=False,
        )


@app.command()
def train(
    label_window_days: Annotated[
        int, typer.Option(help="Escalations within this many days after a night count")
    ] = 183,
    splits: Annotated[int, typer.Option(help="Rolling-origin splits (at least 4)", min=4)] = 4,
    model_card: Annotated[
        Path | None, typer.Option(help="Also write the model card here, e.g. docs/model-card.md")
    ] = None,
) -> None:
    """Backtest the risk models against the rules' order and store the best as a candidate.

    Nothing is promoted: see 'vroegsignaal model promote'. Writes the model card and the HTML
    backtest report to <data dir>/reports/.
    """
    from flows.training import run_training
    from signals.risk.validation import NotEnoughHistoryError

    res = _resources(needs_night=True)
    try:
        result = run_training(
            res.settings, window_days=label_window_days, n_splits=splits, model_card=model_card
        )
    except NotEnoughHistoryError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=1) from None
    table = Table(title=f"Backtest ({len(result.backtest.splits)} splits, mean) / {result.version}")
    for column in ("model", "precision@k", "worst–best", "recall@k", "AUC", "Brier", "reached"):
        table.add_column(column, justify="left" if column == "model" else "right")
    means = result.summary.xs("mean", axis=1, level=1)
    for name, row in means.iterrows():
        table.add_row(
            str(name),
            f"{row['precision_expected']:.1%}",
            f"{row['precision_worst']:.1%}–{row['precision_best']:.1%}",
            f"{row['recall_expected']:.1%}",
            f"{row['auc']:.3f}",
            f"{row['brier']:.3f}",
            f"{row['reached_share']:.1%}",
        )
    out.print(table)
    for reason in result.backtest.reasons:
        out.print(f"  {reason}", highlight=False)
    verdict = (
        f"{result.version} verslaat de regels / beats the rules; promote with "
        f"'vroegsignaal model promote {result.version}'"
        if result.beats_rules
        else f"{result.version} verslaat de regels niet / does not beat the rules: "
        "the rules' order stays"
    )
    out.print(verdict, highlight=False)
    for path in result.reports:
        out.print(f"→ {path}", highlight=False)


@model_app.command("list")
def model_list() -> None:
    """Every stored model, newest first, with its mean precision@k against the rules."""
    from connectors.database import registry
    from connectors.database.engine import session_scope

    res = _resources(needs_night=False)
    with session_scope(res.engine) as session:
        models = registry.list_models(session)
    out.print(f"Risicomodellen / risk models: {len(models)}", highlight=False)
    # One whole line per model (no table): versions stay copyable in any terminal width.
    for entry in models:
        per_split = entry.metrics.get("per_split", [])
        mean = {
            name: sum(r["precision_expected"] for r in per_split if r["model"] == name)
            / max(1, sum(1 for r in per_split if r["model"] == name))
            for name in (entry.model_name, "rules")
        }
        out.print(
            f"{entry.version}  {entry.status}  trained on {entry.train_from} … {entry.train_to}  "
            f"window {entry.label_window_days} d  precision@k {mean[entry.model_name]:.1%} "
            f"vs rules {mean['rules']:.1%}  beats the rules: "
            f"{'ja' if entry.beats_rules else 'nee'}",
            highlight=False,
        )


@model_app.command("promote")
def model_promote(
    version: Annotated[str, typer.Argument(help="The model version (see 'model list')")],
    by: Annotated[str, typer.Option(help="Who decides (recorded)")] = "cli",
    despite_backtest: Annotated[
        bool,
        typer.Option(help="Promote a model that did not beat the rules in its backtest"),
    ] = False,
) -> None:
    """Let a model order the work within the policy's bands from the next night on."""
    from connectors.database import registry
    from connectors.database.engine import session_scope

    res = _resources(needs_night=False)
    with session_scope(res.engine) as session:
        known = {entry.version: entry for entry in registry.list_models(session)}
        if version not in known:
            console.print(f"[red]No model {version!r}; known: {', '.join(known) or 'none'}[/red]")
            raise typer.Exit(code=2)
        if not known[version].beats_rules and not despite_backtest:
            console.print(
                f"[red]{version} did not beat the rules in its backtest; pass "
                "--despite-backtest to promote it anyway[/red]"
            )
            raise typer.Exit(code=2)
        registry.promote(session, version, by, dt.datetime.now(dt.UTC))
        from connectors.database import repository as repo

        repo.audit(session, by, "promote_model", "risk_model", version, {})
    out.print(f"{version} gepromoveerd / promoted: orders the work from the next night on")


@model_app.command("retire")
def model_retire(by: Annotated[str, typer.Option(help="Who decides (recorded)")] = "cli") -> None:
    """Stop ordering by a model: the rules' order stands again from the next night on."""
    from connectors.database import registry
    from connectors.database import repository as repo
    from connectors.database.engine import session_scope

    res = _resources(needs_night=False)
    with session_scope(res.engine) as session:
        count = registry.retire(session)
        repo.audit(session, by, "retire_model", "risk_model", None, {"retired": count})
    out.print(f"{count} model(len) teruggetrokken / retired: the rules' order stands")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-seal every address and raw row under the first key of VS_VAULT_KEY / VS_RAW_KEY.

    Put the new key first and keep the old one after it (comma-separated) until this ran.
    """
    from connectors.database.engine import session_scope
    from connectors.database.keys import rotate_vault_tokens

    res = _resources(needs_night=False)
    with session_scope(res.engine) as session:
        counts = rotate_vault_tokens(session, res.vault, res.raw_vault, actor="cli")
    out.print(
        f"{counts['addresses']} adressen en {counts['raw_rows']} ruwe regels opnieuw "
        "versleuteld / re-sealed"
    )


@app.command()
def web(
    host: Annotated[str | None, typer.Option(help="Address to listen on (VS_WEB_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (VS_WEB_PORT)")] = None,
) -> None:
    """Start the web application (work queue, administration, data steward, JSON API)."""
    import uvicorn

    from connectors.settings import SettingsError, get_settings
    from webapp.app import create_app

    _check_secrets()
    settings = get_settings()
    try:
        application = create_app(settings)
    except SettingsError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    chosen_host = host or settings.web_host
    chosen_port = port or settings.web_port
    out.print(f"Vroegsignalering: http://{chosen_host}:{chosen_port}/ (Ctrl-C stopt)")
    uvicorn.run(
        application,
        host=chosen_host,
        port=chosen_port,
        proxy_headers=True,
        server_header=False,
        access_log=False,  # request lines would carry search terms such as a postcode
        log_level="info",
    )


UsernameOption = Annotated[str, typer.Option(help="Sign-in name (letters, digits, . _ - @)")]


def _password(password: str | None) -> str:
    """The password as given (scripts), else prompted twice without echo."""
    if password is not None:
        return password
    return str(typer.prompt("Wachtwoord / password", hide_input=True, confirmation_prompt=True))


@users_app.command("create-admin")
def users_create_admin(
    username: UsernameOption,
    full_name: Annotated[str, typer.Option("--name", help="Full name")],
    password: Annotated[
        str | None, typer.Option(help="Password (prompted when left out)", show_default=False)
    ] = None,
) -> None:
    """Create an administrator (beheerder); the first one can only be made this way."""
    _create_user(username, full_name, "beheerder", None, password)


@users_app.command("create")
def users_create(
    username: UsernameOption,
    full_name: Annotated[str, typer.Option("--name", help="Full name")],
    role: Annotated[
        str,
        typer.Option(help="medewerker, teamleider, gegevensbeheerder, beheerder or analist"),
    ],
    team: Annotated[str | None, typer.Option(help="Team (medewerker, teamleider)")] = None,
    password: Annotated[
        str | None, typer.Option(help="Password (prompted when left out)", show_default=False)
    ] = None,
) -> None:
    """Create a user of the web application."""
    _create_user(username, full_name, role, team, password)


def _create_user(
    username: str, full_name: str, role: str, team: str | None, password: str | None
) -> None:
    from connectors.database.engine import session_scope
    from connectors.database.users import AccountError, create_user

    res = _resources(needs_night=False)
    chosen = _team(res, team) if team else None
    secret = _password(password)
    try:
        with session_scope(res.engine) as session:
            user = create_user(
                session,
                username,
                full_name,
                secret,
                role,
                chosen,
                actor="cli",
                teams={t.name for t in res.policy.teams},
            )
    except AccountError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=1) from None
    out.print(f"Gebruiker {user.username} ({user.role}{', ' + user.team if user.team else ''})")


@users_app.command("list")
def users_list() -> None:
    """The users of the web application with role, team and whether they may sign in."""
    from connectors.database.engine import session_scope
    from connectors.database.users import list_users

    res = _resources(needs_night=False)
    with session_scope(res.engine) as session:
        users = list_users(session)
    table = Table(title=f"Gebruikers / users: {len(users)}")
    for column in ("gebruikersnaam", "naam", "rol", "team", "actief"):
        table.add_column(column)
    for user in users:
        table.add_row(
            user.username,
            user.full_name,
            user.role,
            user.team or "",
            "ja" if user.active else "nee",
        )
    out.print(table)


@users_app.command("token")
def users_token(
    username: UsernameOption,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'schuldhulpsysteem'")],
) -> None:
    """Issue an API token for a user (e.g. the case system's account); shown once."""
    from sqlalchemy import select

    from connectors.database.engine import session_scope
    from connectors.database.models import WebUser
    from connectors.database.users import AccountError, issue_token

    res = _resources(needs_night=False)
    with session_scope(res.engine) as session:
        user_id = session.scalar(
            select(WebUser.user_id).where(WebUser.username == username.strip().lower())
        )
        if user_id is None:
            console.print(f"[red]Onbekende gebruiker / unknown user {username!r}[/red]")
            raise typer.Exit(code=1)
        try:
            token = issue_token(session, user_id, name, actor="cli")
        except AccountError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(code=1) from None
    out.print(token, highlight=False)


def _rows_in(path: Path) -> int:
    """Data rows of a written CSV or XLSX (header excluded)."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            return max(workbook.worksheets[0].max_row - 1, 0)
        finally:
            workbook.close()
    with path.open(encoding="utf-8-sig") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _partner(res: Any, name: str) -> str:
    """The catalog's partner id for ``name`` in any case; an unknown partner is refused."""
    partners = {partner.lower(): partner for partner in res.catalog.partners}
    chosen = partners.get(name.strip().lower())
    if chosen is None:
        console.print(
            f"[red]Onbekende partner / unknown partner {name!r}; known: "
            f"{', '.join(sorted(res.catalog.partners))}[/red]"
        )
        raise typer.Exit(code=2)
    return chosen


def _team(res: Any, name: str) -> str:
    """The team named ``name`` (any case); an unknown team is refused."""
    teams = {team.name.lower(): team.name for team in res.policy.teams}
    chosen = teams.get(name.strip().lower())
    if chosen is None:
        console.print(
            f"[red]Onbekend team / unknown team {name!r}; known: "
            f"{', '.join(sorted(teams.values()))}[/red]"
        )
        raise typer.Exit(code=2)
    return chosen


def _resources(needs_night: bool = False) -> Any:
    """The installation's resources; with ``needs_night``, refuse a database without a night.

    So a mistyped data directory or a forgotten ``--demo`` is an error, not an empty result.
    """
    _check_secrets()
    from connectors.database.runs import nights_run
    from connectors.settings import get_settings
    from flows.resources import resources

    settings = get_settings()
    if needs_night and not _database_exists(settings):
        _no_night(settings)
    with _database_errors():
        res = resources(settings)
        if needs_night:
            from connectors.database.engine import session_scope

            with session_scope(res.engine) as session:
                if nights_run(session) == 0:
                    _no_night(settings)
    return res


def _database_exists(settings: Any) -> bool:
    url = settings.resolved_database_url
    if not url.startswith("sqlite"):
        return True
    return (settings.data_dir / "vroegsignaal.db").is_file() or settings.database_url is not None


def _no_night(settings: Any) -> None:
    console.print(
        f"[red]No night has run on this database yet ({settings.data_dir}). Run 'vroegsignaal "
        "run' first, point --data-dir at your installation, or use 'vroegsignaal --demo ...' "
        "after 'make demo'.[/red]"
    )
    raise typer.Exit(code=2)


def _backfill(start: dt.date, end: dt.date) -> None:
    from flows.backfill import backfill as backfill_flow
    from flows.progress import listening
    from flows.server import bound_temporary_server

    with _progress() as listener, bound_temporary_server(), listening(listener), _refusal():
        report = backfill_flow(start=start, end=end)
    _summary(report)


@contextlib.contextmanager
def _refusal() -> Iterator[None]:
    """A night refused for an unusable address list: its message, exit code 1, no traceback."""
    from connectors.reference import AddressListError

    try:
        yield
    except AddressListError as error:
        console.print(f"Nacht geweigerd / night refused: {error}", style="red", markup=False)
        raise typer.Exit(code=1) from None


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
    """A short Dutch/English summary: aggregates only."""
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
    out.print(table)
    from flows.report import PLAN_KINDS

    teams = Table(title="Open taken per team / open tasks per team")
    teams.add_column("team")
    for kind in PLAN_KINDS:
        teams.add_column(kind, justify="right")
    for team, counts in report.team_rows():
        teams.add_row(team, *(str(n) for n in counts))
    out.print(teams)
    out.print(
        f"Signalen beoordeeld / signals triaged: {report.signals_decided}, "
        f"opgepakt / picked up: {report.picked_up}, zaken geopend / cases opened: "
        f"{report.cases_opened}, door het systeem gesloten / closed by the system: "
        f"{report.closed_by_system}"
    )
    out.print(
        f"Open taken / open tasks: {report.open_tasks}, waarvan opgelost bij alle partners / "
        f"resolved at every partner: {report.resolved_everywhere} ({report.resolved_share:.0%})"
    )
    if report.unrecognised_files:
        out.print(f"Niet gelezen bestanden / files not read: {len(report.unrecognised_files)}")
        for name in report.unrecognised_files:
            out.print(f"  {name}", markup=False, highlight=False)  # a name is no markup
    if report.waiting_files:
        out.print(f"Voor een latere nacht / for a later night: {len(report.waiting_files)}")
