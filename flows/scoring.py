"""The promoted risk model's scores for a night, when a model is promoted (else none).

Scores only order the work within the policy's priority bands; they never change a decision.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from flows.resources import Resources


def night_scores(res: Resources, night: date) -> pd.DataFrame | None:
    """``household_key, score, model_version, reasons_nl`` of the open cases, or None.

    None while no model is promoted, so the rules' own order stands.
    """
    return None
