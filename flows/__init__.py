"""Prefect flows of vroegsignaal: wiring of ``connectors`` (I/O) and ``signals`` (logic) only."""

import logging
import os

# Forward our own loggers to Prefect (read when Prefect sets up logging, so before its import).
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "connectors,signals,flows")
# No network here and no need to phone home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
# Our loggers also run outside flows (CLI imports, tests): no warning for that.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

# Prefect forwards these loggers (its handlers are attached) but leaves their level to the
# root logger (WARNING): set it, so the per-delivery lines reach the run's log.
for _name in ("connectors", "signals", "flows"):  # flows.logs.OUR_LOGGERS
    logging.getLogger(_name).setLevel(os.environ.get("VS_LOG_LEVEL", "INFO"))
