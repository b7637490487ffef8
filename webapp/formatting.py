"""Jinja filters for Dutch display: dates as dd-mm-jjjj, amounts in euro, yes/no."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from jinja2 import Environment


def date_nl(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.time() == dt.time() and value.tzinfo is None:
            return value.strftime("%d-%m-%Y")  # a date that went through pandas
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def euro(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def yes_no(value: Any) -> str:
    if value is None:
        return "onbekend"
    return "ja" if bool(value) else "nee"


def blank(value: Any) -> str:
    """Missing values (None, NaN, pandas NA) as an empty string."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except (TypeError, ValueError):
        return ""
    text = str(value)
    return "" if text in ("<NA>", "NaT", "nan") else text


def postcode(value: Any) -> str:
    """``7906KL`` as people write it: ``7906 KL``."""
    text = blank(value).replace(" ", "").upper()
    return f"{text[:4]} {text[4:]}" if len(text) == 6 else text


def actor_nl(value: Any) -> str:
    """Who recorded something, as a colleague reads it: ``web:anna`` -> ``anna``."""
    text = blank(value)
    if text.startswith("web:"):
        return text[4:]
    if text.startswith("run:") or text == "nachtelijke run":
        return "de nachtelijke run"
    if text.startswith("cli"):
        return "beheer (opdrachtregel)"
    return text


def source_nl(value: Any) -> str:
    """Where an attempt was recorded: in the app, through the API, or from a task list."""
    text = blank(value)
    return {"web": "in de app", "api": "via de API"}.get(text, f"uit {text}" if text else "")


def listed(value: Any) -> str:
    """``energie,zorg`` -> ``energie, zorg``."""
    return ", ".join(part.strip() for part in blank(value).split(",") if part.strip())


def number_nl(value: Any) -> str:
    """``6.0`` -> ``6,0`` (one decimal, Dutch comma); missing stays empty."""
    text = blank(value)
    if not text:
        return ""
    try:
        return f"{float(text):.1f}".replace(".", ",")
    except ValueError:
        return text


#: What a placeholder in a policy's reason text stands for, as the task page fills it in.
PLACEHOLDERS_NL = {
    "age": "leeftijd",
    "amount": "bedrag",
    "arrears_months": "aantal maanden achterstand",
    "crisis_kinds": "soort crisis",
    "days": "aantal dagen achterstand",
    "due_working_days": "aantal werkdagen",
    "joint_with": "partner van het huisbezoek",
    "lookback_days": "aantal dagen terug",
    "minimum_amount": "drempelbedrag",
    "partner_count": "aantal partners",
    "previous_outcome": "uitkomst vorig traject",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholders_nl(value: Any) -> str:
    """``{previous_outcome}`` -> ``‹uitkomst vorig traject›``: what the task fills in there."""
    return _PLACEHOLDER.sub(
        lambda m: f"‹{PLACEHOLDERS_NL.get(m.group(1), m.group(1).replace('_', ' '))}›",
        blank(value),
    )


def without_comments(text: str) -> str:
    """A YAML text without its (English, technical) comment lines and trailing comments."""
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        code, mark, _comment = line.partition(" #")
        # A '#' inside a quoted value is text, not a comment: keep such a line whole.
        lines.append(code.rstrip() if mark and '"' not in code and "'" not in code else line)
    return "\n".join(lines).strip("\n") + "\n"


#: A crisis signal's kind in words (DDAS: ontruimingsaanvraag, eindeleveringsbericht, CAK).
CRISIS_NL = {
    "ontruiming": "ontruimingsaanvraag",
    "eindelevering": "einde levering",
    "cak": "CAK-aanmelding",
}


def crisis_nl(value: Any) -> str:
    """``eindelevering,cak`` -> ``einde levering, CAK-aanmelding``."""
    return ", ".join(
        CRISIS_NL.get(part.strip().lower(), part.strip())
        for part in blank(value).split(",")
        if part.strip()
    )


def partner_nl(partner: Any, partner_type: Any = None) -> str:
    """A partner as workers read it: ``energie`` with type ``Energie`` -> ``Energie``;
    ``essent`` with type ``Energie`` -> ``essent (Energie)``."""
    name, kind = blank(partner), blank(partner_type)
    if not kind or kind.lower() == name.lower():
        return name[:1].upper() + name[1:]
    return f"{name} ({kind})" if name else kind


def task_code(value: Any) -> str:
    """``taak-3f2a`` -> ``3f2a``: the page already says "Taak"."""
    text = blank(value)
    return text[5:] if text.lower().startswith("taak-") else text


def register(env: Environment) -> None:
    env.filters["crisis_nl"] = crisis_nl
    env.filters["partner_nl"] = partner_nl
    env.filters["task_code"] = task_code
    env.filters["placeholders_nl"] = placeholders_nl
    env.filters["number_nl"] = number_nl
    env.filters["actor_nl"] = actor_nl
    env.filters["source_nl"] = source_nl
    env.filters["listed"] = listed
    env.filters["postcode"] = postcode
    env.filters["date_nl"] = date_nl
    env.filters["euro"] = euro
    env.filters["yes_no"] = yes_no
    env.filters["blank"] = blank
