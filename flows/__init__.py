"""Prefect flows of vroegsignaal: wiring of ``connectors`` (I/O) and ``signals`` (logic) only."""

import os

# Forward our own loggers to Prefect (read when Prefect sets up logging, so before its import).
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "connectors,signals,flows")
# No network here and no need to phone home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
# Our loggers also run outside flows (CLI imports, tests): no warning for that.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
