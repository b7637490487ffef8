"""Triage: the policy model, per-signal decisions, Dutch working days and task priority."""
