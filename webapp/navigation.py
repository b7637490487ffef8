"""The sections of the application and which roles see them (the menu follows this list).

A section added by another part of the app (e.g. the analysts') appends itself here.
"""

from __future__ import annotations

from dataclasses import dataclass

OUTREACH = ("medewerker", "teamleider")


@dataclass(frozen=True)
class Section:
    label: str
    path: str
    roles: tuple[str, ...]


SECTIONS: list[Section] = [
    Section("Werkbak", "/werkbak", OUTREACH),
    Section("Quarantaine", "/quarantaine", ("gegevensbeheerder",)),
    Section("Gebruikers", "/beheer/gebruikers", ("beheerder",)),
    Section("Teams en capaciteit", "/beheer/teams", ("teamleider", "beheerder")),
    Section("Triagebeleid", "/beheer/beleid", ("teamleider", "beheerder", "gegevensbeheerder")),
    Section("Nachtelijke runs", "/beheer/runs", ("teamleider", "beheerder", "gegevensbeheerder")),
    # Workers use the pages; the API is for the systems team leads and administrators connect.
    Section("API", "/api/docs", ("teamleider", "gegevensbeheerder", "beheerder")),
]


def sections_for(role: str) -> list[Section]:
    return [section for section in SECTIONS if role in section.roles]
