"""The columns of the outreach task list, shared by the writer and the results import.

Headers are Dutch (the outreach workers' language); the fill-in columns use DDAS terms.
"""

from __future__ import annotations

from typing import Final

from signals import ddas

#: Pre-filled columns, in this order, as the outreach worker sees them.
TASK_COLUMNS: Final = (
    "prioriteit",
    "taak_id",
    "team",
    "contactsoort",
    "uiterlijk",
    "postcode",
    "huisnummer",
    "toevoeging",
    "wijk",
    "signaalpartners",
    "totaal_achterstand",
    "reden",
    "suggesties",
    "ingepland_week",
    "boven_capaciteit",
    "samen_met",
)

MAX_ATTEMPTS: Final = 3


def attempt_column(number: int, field: str) -> str:
    """Header of one cell of a contact attempt, e.g. ``poging_2_datum``."""
    return f"poging_{number}_{field}"


ATTEMPT_FIELDS: Final = ("soort", "datum", "dagdeel", "bereikt")
ATTEMPT_COLUMNS: Final = tuple(
    attempt_column(number, field)
    for number in range(1, MAX_ATTEMPTS + 1)
    for field in ATTEMPT_FIELDS
)
RESULT_COLUMN: Final = "resultaat"
#: Optional; an empty cell means "the day the list is imported".
RESULT_DATE_COLUMN: Final = "resultaat_datum"
FILL_IN_COLUMNS: Final = (*ATTEMPT_COLUMNS, RESULT_COLUMN, RESULT_DATE_COLUMN)
ALL_COLUMNS: Final = (*TASK_COLUMNS, *FILL_IN_COLUMNS)
DATE_COLUMNS: Final = (
    "uiterlijk",
    *(attempt_column(n, "datum") for n in range(1, MAX_ATTEMPTS + 1)),
    RESULT_DATE_COLUMN,
)

YES: Final = "ja"
NO: Final = "nee"
YES_NO: Final = (YES, NO)

#: The drop-down lists of the hidden sheet, by header: (list name, values).
CHOICE_LISTS: Final = {
    "EnumContactsoort": ddas.CONTACT_KINDS,
    "EnumDagdeel": ddas.PARTS_OF_DAY,
    "JaNee": YES_NO,
    "EnumEindresultaat": ddas.RESULTS,
}
CHOICE_SHEET: Final = "Keuzelijsten"
TASK_SHEET: Final = "Taken"


def choice_list_for(column: str) -> str | None:
    """Which choice list a fill-in column draws from (None for dates)."""
    if column == RESULT_COLUMN:
        return "EnumEindresultaat"
    if column.endswith("_soort"):
        return "EnumContactsoort"
    if column.endswith("_dagdeel"):
        return "EnumDagdeel"
    if column.endswith("_bereikt"):
        return "JaNee"
    return None


def display_postcode(postcode: str) -> str:
    """``7906KL`` -> ``7906 KL`` (how residents and workers write it)."""
    compact = postcode.replace(" ", "").upper()
    return f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else compact
