"""Deterministic ids: the same input night always gives the same ids, on any machine."""

from __future__ import annotations

import hashlib


def stable_id(prefix: str, *parts: str) -> str:
    """``<prefix>-`` and 20 hex digits of the SHA-256 of the parts."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{prefix}-{digest[:20]}"
