"""What a night did, in aggregates only: the run summary behind artifacts and the CLI table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connectors.inbox import UnplacedFile

if TYPE_CHECKING:
    from flows.triage import TriageSummary

#: How the planning reports each team's open tasks, in this order.
PLAN_KINDS = ("deze week", "later", "te laat", "opgelost bij de partner")


@dataclass
class PartnerFigures:
    """Per partner, per night. Counts only: nothing here identifies a resident."""

    partner: str
    deliveries: int = 0
    received: int = 0
    accepted: int = 0
    quarantined: int = 0
    rejected_files: int = 0
    rejection_reasons: list[str] = field(default_factory=list)

    def add(self, other: PartnerFigures) -> None:
        self.deliveries += other.deliveries
        self.received += other.received
        self.accepted += other.accepted
        self.quarantined += other.quarantined
        self.rejected_files += other.rejected_files
        self.rejection_reasons.extend(other.rejection_reasons)


@dataclass
class NightReport:
    """The summary of one nightly run."""

    as_of: str
    partners: dict[str, PartnerFigures] = field(default_factory=dict)
    #: Files the inbox could not place, each with why it was not read (names, never contents).
    unrecognised_files: list[UnplacedFile] = field(default_factory=list)
    #: Deliveries dated after the night: read on their own night.
    waiting_files: list[UnplacedFile] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)  # changed after loading
    signals_decided: int = 0
    picked_up: int = 0
    cases_opened: int = 0
    closed_by_system: int = 0
    #: Per team: open tasks due this week, later, overdue, or resolved at the partners.
    tasks_per_team: dict[str, dict[str, int]] = field(default_factory=dict)
    open_tasks: int = 0
    resolved_everywhere: int = 0  # open tasks whose household every partner has dropped
    stage_seconds: dict[str, float] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)
    data_docs: str | None = None
    #: GX results (docs-safe) of tonight's deliveries, for the Data Docs; not part of the summary.
    validation_results: list[Any] = field(default_factory=list, repr=False, compare=False)

    def add_triage(self, summary: TriageSummary) -> None:
        self.signals_decided += summary.signals_decided
        self.picked_up += summary.picked_up
        self.cases_opened += summary.cases_opened
        self.closed_by_system += summary.closed_by_system
        self.tasks_per_team = summary.tasks_per_team
        self.open_tasks = summary.open_tasks
        self.resolved_everywhere = summary.resolved_everywhere

    @property
    def resolved_share(self) -> float:
        """Share of open tasks whose household the partners no longer report."""
        return self.resolved_everywhere / self.open_tasks if self.open_tasks else 0.0

    def partner(self, name: str) -> PartnerFigures:
        return self.partners.setdefault(name, PartnerFigures(partner=name))

    def merge(self, other: NightReport) -> None:
        """Fold another night into this one (a backfill sums its nights)."""
        for name, figures in other.partners.items():
            self.partner(name).add(figures)
        # The inbox is a state: each night names what still lies there, so no file twice.
        known = {item.file for item in self.unrecognised_files}
        self.unrecognised_files += [f for f in other.unrecognised_files if f.file not in known]
        self.waiting_files = list(other.waiting_files)
        self.changed_files.extend(other.changed_files)
        self.signals_decided += other.signals_decided
        self.picked_up += other.picked_up
        self.cases_opened += other.cases_opened
        self.closed_by_system += other.closed_by_system
        self.tasks_per_team = dict(other.tasks_per_team)  # open work is a state, not a sum
        self.open_tasks = other.open_tasks
        self.resolved_everywhere = other.resolved_everywhere
        for stage, seconds in other.stage_seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds
        self.exports = list(other.exports)
        self.data_docs = other.data_docs or self.data_docs

    def partner_rows(self) -> list[dict[str, object]]:
        return [
            {
                "partner": f.partner,
                "leveringen": f.deliveries,
                "ontvangen": f.received,
                "geaccepteerd": f.accepted,
                "quarantaine": f.quarantined,
                "afgewezen_bestanden": f.rejected_files,
            }
            for f in sorted(self.partners.values(), key=lambda f: f.partner)
        ]

    def team_rows(self) -> list[tuple[str, list[int]]]:
        """Per team, its open tasks per plan kind in ``PLAN_KINDS`` order."""
        return [
            (team, [self.tasks_per_team[team].get(kind, 0) for kind in PLAN_KINDS])
            for team in sorted(self.tasks_per_team)
        ]

    def to_markdown(self) -> str:
        lines = [
            f"# Nachtelijke run {self.as_of}",
            "",
            "| partner | leveringen | ontvangen | geaccepteerd | quarantaine | afgewezen |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for row in self.partner_rows():
            lines.append("| " + " | ".join(str(v) for v in row.values()) + " |")
        lines += [
            "",
            f"- Signalen beoordeeld: {self.signals_decided} (opgepakt: {self.picked_up})",
            f"- Zaken geopend: {self.cases_opened}",
            "- Zaken door het systeem gesloten (opgelost bij de partners): "
            f"{self.closed_by_system}",
            f"- Open taken: {self.open_tasks}, waarvan opgelost bij alle partners: "
            f"{self.resolved_everywhere} ({self.resolved_share:.0%})",
            "",
            "| team | " + " | ".join(PLAN_KINDS) + " |",
            "|---|" + "---:|" * len(PLAN_KINDS),
        ]
        for team, kinds in self.team_rows():
            lines.append(f"| {team} | " + " | ".join(str(n) for n in kinds) + " |")
        lines += ["", "| stage | seconds |", "|---|---:|"]
        lines += [f"| {stage} | {secs:.1f} |" for stage, secs in self.stage_seconds.items()]
        if self.unrecognised_files:
            lines += ["", f"Niet gelezen bestanden in de inbox: {len(self.unrecognised_files)}", ""]
            lines += [f"- {_code(item.file)}: {item.reason_nl}" for item in self.unrecognised_files]
        if self.waiting_files:
            lines += ["", f"Bestanden voor een latere nacht: {len(self.waiting_files)}", ""]
            lines += [f"- {_code(item.file)}" for item in self.waiting_files]
        if self.changed_files:
            lines += ["", "Gewijzigd na het laden (niet opnieuw geladen): "]
            lines += [f"- {name}" for name in self.changed_files]
        if self.data_docs:
            lines += ["", f"[Great Expectations Data Docs]({self.data_docs})"]
        return "\n".join(lines) + "\n"


def _code(name: str) -> str:
    """A file name as a markdown code span: a name cannot become a link or a table."""
    return "`" + name.replace("`", "'") + "`"
