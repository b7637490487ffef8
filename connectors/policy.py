"""Read the triage policy YAML into the typed model (the only I/O of the triage policy)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from signals.triage.policy import TriagePolicy


class PolicyError(ValueError):
    """The triage policy file is missing, unreadable or invalid; the message says where."""


def load_triage_policy(path: Path) -> TriagePolicy:
    """Parse and validate the triage policy at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(f"cannot read triage policy {path}: {error}") from error
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PolicyError(f"triage policy {path} is not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise PolicyError(f"triage policy {path} must be a mapping at the top level")
    try:
        return TriagePolicy.model_validate(raw)
    except ValidationError as error:
        raise PolicyError(f"triage policy {path} is invalid:\n{error}") from error
