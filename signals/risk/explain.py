"""Why a household scored high, in words a social worker uses.

Per household the features that pushed its score up most: for the logistic regression its
exact per-feature contributions (coefficient × standardised value, on the log-odds scale);
for another model an occlusion attribution (how much the probability drops when that one
feature is set to the night's median). The three largest positive ones become Dutch phrases
("huurachterstand gestegen in 3 maanden", "tweede partner binnen 6 maanden"); of features that
say the same thing in another window only the strongest is named.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from signals.risk.features import FLAGGED

TOP: Final = 3
KIND_WORDS: Final = {
    "Huur": "huurachterstand",
    "Energie": "energieachterstand",
    "Water": "achterstand drinkwater",
    "Zorg": "achterstand zorgpremie",
    "Overige": "bankmelding",
    "alle": "achterstand",
}
PARTNER_WORDS: Final = {
    "Huur": "de verhuurder",
    "Energie": "de energieleverancier",
    "Water": "het waterbedrijf",
    "Zorg": "de zorgverzekeraar",
    "Overige": "de bank",
    "alle": "de partners",
}
WINDOW_WORDS: Final = {
    "3m": "in 3 maanden",
    "6m": "in 6 maanden",
    "12m": "in 12 maanden",
    "ooit": "sinds de eerste melding",
}
WITHIN_WORDS: Final = {
    "3m": "binnen 3 maanden",
    "6m": "binnen 6 maanden",
    "12m": "binnen 12 maanden",
    "ooit": "sinds de eerste melding",
}
ORDINALS: Final = {2: "tweede", 3: "derde", 4: "vierde", 5: "vijfde"}
OUTCOME_WORDS: Final = {
    "schuldregeling_geslaagd": "schuldregeling geslaagd",
    "saneringskrediet": "saneringskrediet",
    "budgetbeheer_afgerond": "budgetbeheer afgerond",
    "afgebroken": "traject afgebroken",
}
MISSING_WORDS: Final = {
    "months_in_arrears": "aantal maanden achterstand onbekend",
    "arrears_days": "begin van de achterstand onbekend",
    "age": "leeftijd onbekend",
    "days_since_trajectory_end": "geen eerder schuldhulptraject bekend",
}


def euros(value: float) -> str:
    """``€ 1.250`` (whole euros, Dutch thousands separator)."""
    return "€ " + f"{round(value):,}".replace(",", ".")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def phrase(feature: str, value: float) -> str:
    """The Dutch reason for ``feature`` having ``value``."""
    n = round(value)
    head, _, rest = feature.partition("_")
    kind, _, window = rest.rpartition("_")
    if head == "n" and kind in KIND_WORDS:
        if kind == "alle":
            return f"{_plural(n, 'melding', 'meldingen')} {WINDOW_WORDS[window]}"
        return f"{n}× gemeld door {PARTNER_WORDS[kind]} {WINDOW_WORDS[window]}"
    if head == "max" and kind in KIND_WORDS:
        if value <= 0:
            return f"geen {KIND_WORDS[kind]} {WINDOW_WORDS[window]}"
        return f"hoogste {KIND_WORDS[kind]} {euros(value)} {WINDOW_WORDS[window]}"
    if head == "growth" and kind in KIND_WORDS:
        direction = "gestegen" if value > 0 else "niet gestegen" if value == 0 else "gedaald"
        return f"{KIND_WORDS[kind]} {direction} {WINDOW_WORDS[rest.rpartition('_')[2]]}"
    if head == "partners":
        if n >= 2:
            return f"{ORDINALS.get(n, f'{n}e')} partner {WITHIN_WORDS[rest]}"
        return f"{_plural(n, 'partner', 'partners')} {WINDOW_WORDS[rest]}"
    if head == "crisis" and rest in WINDOW_WORDS:
        if n == 0:
            return f"geen crisissignaal {WINDOW_WORDS[rest]}"
        return f"crisissignaal (ontruiming, afsluiting of CAK) {WINDOW_WORDS[rest]}"
    if feature.startswith("current_") and rest in KIND_WORDS:
        return (
            f"nu {KIND_WORDS[rest]} van {euros(value)}" if value else f"nu geen {KIND_WORDS[rest]}"
        )
    simple: dict[str, Callable[[], str]] = {
        "current_total": lambda: f"totale achterstand nu {euros(value)}",
        "current_partners": lambda: f"nu bij {_plural(n, 'partner', 'partners')} in beeld",
        "current_crisis": lambda: "nu een crisissignaal" if n else "nu geen crisissignaal",
        "relapse_now": lambda: "opnieuw achterstand na een schuldhulptraject",
        "days_since_first_signal": lambda: f"eerste melding {round(value / 30.4)} maanden geleden",
        "days_in_case": lambda: f"zaak loopt al {round(value / 7)} weken",
        "prior_cases": lambda: (
            "geen eerdere zaak" if n == 0 else f"{_plural(n, 'eerdere zaak', 'eerdere zaken')}"
        ),
        "attempts": lambda: (
            "nog geen contactpoging" if n == 0 else _plural(n, "contactpoging", "contactpogingen")
        ),
        "attempts_reached": lambda: "nog niet bereikt" if n == 0 else f"{n}× bereikt",
        "months_in_arrears": lambda: f"{value:.1f} maanden achterstand".replace(".", ","),
        "arrears_days": lambda: f"achterstand al {n} dagen",
        "age": lambda: f"leeftijd {n} jaar",
        "days_since_trajectory_end": lambda: (
            f"schuldhulptraject {round(value / 30.4)} maanden geleden afgerond"
        ),
    }
    if feature in simple:
        return simple[feature]()
    if feature.startswith("band_"):
        age = feature.removeprefix("band_")
        return f"leeftijd {age} jaar" if n else f"leeftijd niet {age} jaar"
    if feature.startswith("trajectory_"):
        outcome = OUTCOME_WORDS.get(feature.removeprefix("trajectory_"), "")
        return f"eerder schuldhulptraject: {outcome}" if n else f"geen traject met {outcome}"
    if feature.endswith("_missing") and feature.removesuffix("_missing") in FLAGGED:
        return MISSING_WORDS[feature.removesuffix("_missing")]
    raise ValueError(f"no Dutch phrase for feature {feature!r}")


def family(feature: str) -> str:
    """Features that differ only by window say the same thing: one family."""
    for window in WINDOW_WORDS:
        if feature.endswith("_" + window):
            return feature.removesuffix("_" + window)
    return feature


def model_features(model: Any) -> list[str]:
    """The feature columns a fitted pipeline reads."""
    select = model.named_steps["select"]
    return list(select.transformers_[0][2])


def contributions(model: Any, x: pd.DataFrame) -> pd.DataFrame:
    """Per row and feature, how much it raised the score (same index as ``x``)."""
    names = model_features(model)
    values = x[names].to_numpy(dtype=float)
    if isinstance(model, Pipeline) and "scale" in model.named_steps:
        scaler, linear = model.named_steps["scale"], model.named_steps["model"]
        scaled = (values - scaler.mean_) / np.where(scaler.scale_ == 0, 1.0, scaler.scale_)
        return pd.DataFrame(scaled * linear.coef_[0], index=x.index, columns=names)
    # The selection step passes the feature columns through in order: work on its array.
    final = model.steps[-1][1]
    matrix = np.asarray(model[:-1].transform(x), dtype=float)
    base = final.predict_proba(matrix)[:, 1]
    reference = np.median(matrix, axis=0)
    out = np.zeros_like(matrix)
    for j in range(matrix.shape[1]):
        column = matrix[:, j]
        if (column == reference[j]).all():
            continue  # nobody differs from the reference: no contribution
        # One whole-batch prediction per feature, not per household.
        saved = column.copy()
        matrix[:, j] = reference[j]
        out[:, j] = base - final.predict_proba(matrix)[:, 1]
        matrix[:, j] = saved
    return pd.DataFrame(out, index=x.index, columns=names)


def top_features(contrib: pd.DataFrame, top: int = TOP) -> list[list[str]]:
    """Per row the ``top`` features with the largest positive contribution, one per family."""
    names = np.array(contrib.columns)
    families, family_of = np.unique([family(name) for name in names], return_inverse=True)
    values = contrib.to_numpy(dtype=float)
    # The strongest feature of each family, per row: one vectorised step per feature column.
    strongest = np.full((len(values), len(families)), -np.inf)
    which = np.zeros((len(values), len(families)), dtype=int)
    for j, f in enumerate(family_of):
        better = values[:, j] > strongest[:, f]
        strongest[better, f] = values[better, j]
        which[better, f] = j
    order = np.argsort(-strongest, axis=1, kind="stable")[:, :top]
    chosen = np.take_along_axis(which, order, axis=1)
    positive = np.take_along_axis(strongest, order, axis=1) > 0
    picked = np.where(positive, names[chosen], "")
    return [[str(name) for name in row if name] for row in picked.tolist()]


def reasons(model: Any, x: pd.DataFrame, top: int = TOP) -> pd.DataFrame:
    """``features`` (list) and ``reasons_nl`` ("; "-joined phrases) per row of ``x``."""
    contrib = contributions(model, x)
    chosen = top_features(contrib, top)
    values = x[list(contrib.columns)].to_numpy(dtype=float)
    column = {name: j for j, name in enumerate(contrib.columns)}
    texts = [
        "; ".join(phrase(name, float(values[i, column[name]])) for name in names)
        for i, names in enumerate(chosen)
    ]
    return pd.DataFrame({"features": chosen, "reasons_nl": texts}, index=x.index)
