"""Jinja filters for Dutch display: dates as dd-mm-jjjj, amounts in euro, yes/no."""

from __future__ import annotations

import datetime as dt
import math
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


def register(env: Environment) -> None:
    env.filters["number_nl"] = number_nl
    env.filters["actor_nl"] = actor_nl
    env.filters["source_nl"] = source_nl
    env.filters["listed"] = listed
    env.filters["postcode"] = postcode
    env.filters["date_nl"] = date_nl
    env.filters["euro"] = euro
    env.filters["yes_no"] = yes_no
    env.filters["blank"] = blank
