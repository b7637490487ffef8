"""Dutch number formatting for reasons shown to workers (decimal comma, euro amounts)."""

from __future__ import annotations


def decimal_nl(value: float, places: int = 1) -> str:
    """``2.0`` -> ``"2,0"``."""
    return f"{value:.{places}f}".replace(".", ",")


def euro_nl(value: float) -> str:
    """``1234.5`` -> ``"EUR 1.234,50"`` (thousands dot, decimal comma)."""
    text = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"EUR {text}"


def audit_suffix(version: str, rule: str) -> str:
    """The trail every reason ends with: which policy version and rule decided."""
    return f"(beleid {version}, regel {rule})"
