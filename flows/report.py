"""What a night did, in aggregates only: the run summary behind artifacts and the CLI table."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    unrecognised_files: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)  # changed after loading
    signals_decided: int = 0
    picked_up: int = 0
    cases_opened: int = 0
    tasks_per_team: dict[str, int] = field(default_factory=dict)
    over_capacity_per_team: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)
    data_docs: str | None = None

    def partner(self, name: str) -> PartnerFigures:
        return self.partners.setdefault(name, PartnerFigures(partner=name))

    def merge(self, other: NightReport) -> None:
        """Fold another night into this one (a backfill sums its nights)."""
        for name, figures in other.partners.items():
            self.partner(name).add(figures)
        self.unrecognised_files.extend(other.unrecognised_files)
        self.changed_files.extend(other.changed_files)
        self.signals_decided += other.signals_decided
        self.picked_up += other.picked_up
        self.cases_opened += other.cases_opened
        self.tasks_per_team = dict(other.tasks_per_team)  # open work is a state, not a sum
        self.over_capacity_per_team = dict(other.over_capacity_per_team)
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
            "",
            "| team | open taken | boven capaciteit |",
            "|---|---:|---:|",
        ]
        for team in sorted(self.tasks_per_team):
            over = self.over_capacity_per_team.get(team, 0)
            lines.append(f"| {team} | {self.tasks_per_team[team]} | {over} |")
        lines += ["", "| stage | seconds |", "|---|---:|"]
        lines += [f"| {stage} | {secs:.1f} |" for stage, secs in self.stage_seconds.items()]
        if self.unrecognised_files:
            lines += ["", f"Onbekende bestanden in de inbox: {len(self.unrecognised_files)}"]
        if self.changed_files:
            lines += ["", "Gewijzigd na het laden (niet opnieuw geladen): "]
            lines += [f"- {name}" for name in self.changed_files]
        if self.data_docs:
            lines += ["", f"[Great Expectations Data Docs]({self.data_docs})"]
        return "\n".join(lines) + "\n"
