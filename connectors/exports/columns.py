"""The columns of the outreach task list, shared by the writer and the results import.

Headers are plain Dutch (the outreach workers' language); the fill-in columns use DDAS terms.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from signals import ddas

TASK_ID: Final = "Taak-ID"
RANK: Final = "Nr."
STATUS: Final = "Planning"
DUE: Final = "Uiterlijk"
WEEK: Final = "Week"
TEAM: Final = "Team"
CONTACT_KIND: Final = "Contactsoort"
JOINT_WITH: Final = "Samen met"
POSTCODE: Final = "Postcode"
HOUSE_NUMBER: Final = "Huisnr."
SUFFIX: Final = "Toev."
STREET: Final = "Straat"
PLACE: Final = "Woonplaats"
WIJK: Final = "Wijk"
REASON: Final = "Waarom"
NEWS: Final = "Nieuw"
SCORE_REASONS: Final = "Toelichting volgorde"
SUGGESTIONS: Final = "Suggesties"
PARTNERS: Final = "Signaalpartners"
AMOUNT: Final = "Totale achterstand"
OVER_CAPACITY: Final = "Boven capaciteit"

ADDRESS: Final = "Adres"
CONTACT: Final = "Contact"

#: What the printed work list shows (A4 landscape), in this order: by when, how, where, why.
PRINTED_COLUMNS: Final = (
    RANK,
    DUE,
    STATUS,
    CONTACT,
    ADDRESS,
    REASON,
    NEWS,
    SUGGESTIONS,
    AMOUNT,
)
#: Pre-filled columns, in this order, as the outreach worker sees them: the printed ones, then
#: the details for sorting and filtering on screen; the fill-in columns follow to the right.
TASK_COLUMNS: Final = (
    *PRINTED_COLUMNS,
    TASK_ID,
    CONTACT_KIND,
    JOINT_WITH,
    WIJK,
    WEEK,
    POSTCODE,
    HOUSE_NUMBER,
    SUFFIX,
    STREET,
    PLACE,
    PARTNERS,
    SCORE_REASONS,
    OVER_CAPACITY,
    TEAM,
)
#: Widths (characters) of the printed columns; those in ``WRAPPED`` wrap their text.
PRINT_WIDTHS: Final = {
    RANK: 5,
    DUE: 11,
    STATUS: 15,
    CONTACT: 13,
    ADDRESS: 18,
    REASON: 36,
    NEWS: 26,
    SUGGESTIONS: 20,
    AMOUNT: 12,
}
WRAPPED: Final = frozenset({STATUS, CONTACT, ADDRESS, REASON, NEWS, SUGGESTIONS, SCORE_REASONS})

MAX_ATTEMPTS: Final = 3
ATTEMPT_FIELDS: Final = ("soort", "datum", "dagdeel", "bereikt")


def attempt_column(number: int, field: str) -> str:
    """Header of one cell of a contact attempt, e.g. ``Poging 2 datum``."""
    return f"Poging {number} {field}"


ATTEMPT_COLUMNS: Final = tuple(
    attempt_column(number, field)
    for number in range(1, MAX_ATTEMPTS + 1)
    for field in ATTEMPT_FIELDS
)
RESULT_COLUMN: Final = "Resultaat"
#: Optional; an empty cell means "the day the list is imported".
RESULT_DATE_COLUMN: Final = "Resultaat datum"
FILL_IN_COLUMNS: Final = (*ATTEMPT_COLUMNS, RESULT_COLUMN, RESULT_DATE_COLUMN)
ALL_COLUMNS: Final = (*TASK_COLUMNS, *FILL_IN_COLUMNS)
DATE_COLUMNS: Final = (
    DUE,
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
    if column.endswith(" soort"):
        return "EnumContactsoort"
    if column.endswith(" dagdeel"):
        return "EnumDagdeel"
    if column.endswith(" bereikt"):
        return "JaNee"
    return None


def display_postcode(postcode: str) -> str:
    """``7906KL`` -> ``7906 KL`` (how residents and workers write it)."""
    compact = postcode.replace(" ", "").upper()
    return f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else compact


#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Text that a spreadsheet shows as text: a leading formula character gets a ``'``.

    Whatever validation let through (a partner's wijknaam, a reason), no exported cell ever
    becomes a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_text_column(column: pd.Series) -> pd.Series:
    """``safe_text`` on every value of a column at once; other values and NA stay as they are."""
    if not col_is_text(column):
        return column
    try:
        flagged = column.str.startswith(FORMULA_START)
    except AttributeError:  # an object column without any text
        return column
    flagged = flagged.fillna(False).astype(bool)
    if not flagged.any():
        return column
    out = column.copy()
    out[flagged] = "'" + column[flagged]
    return out


def col_is_text(column: pd.Series) -> bool:
    """A column that may hold text (object, string or pandas' str dtype)."""
    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype)


def unsafe_text(value: str) -> str:
    """The text ``safe_text`` was given back (a file we wrote, edited and returned)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value
