"""Read the triage policy versions (YAML) into the typed model (the only I/O of the policy).

``VS_TRIAGE_POLICY`` names a folder of versions (``config/policies/<version>.yaml``), or one
file. Older versions stay loadable, so a replay across a policy change uses each version on
its own nights.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from signals.triage.policy import PolicyBook, TriagePolicy


class PolicyError(ValueError):
    """The triage policy file is missing, unreadable or invalid; the message says where."""


def load_triage_policy(path: Path) -> TriagePolicy:
    """Parse and validate the triage policy file at ``path``."""
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


def load_policy_book(path: Path) -> PolicyBook:
    """Every policy version under ``path`` (a folder of ``*.yaml``), or the one file ``path``."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise PolicyError(f"no triage policy versions (*.yaml) in {path}")
    policies = tuple(load_triage_policy(file) for file in files)
    for file, policy in zip(files, policies, strict=True):
        if path.is_dir() and file.stem != policy.version:
            raise PolicyError(
                f"{file} holds version {policy.version!r}: name it {policy.version}.yaml"
            )
    try:
        return PolicyBook(versions=policies)
    except ValidationError as error:
        raise PolicyError(f"triage policy versions in {path} conflict:\n{error}") from error
