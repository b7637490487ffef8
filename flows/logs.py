"""Our own loggers, forwarded to the Prefect run's log (the API), however Prefect was started.

``PREFECT_LOGGING_EXTRA_LOGGERS`` (set in ``flows/__init__``) only works when it is set before
Prefect configures logging; a worker imports Prefect first. So each flow also attaches Prefect's
"extra" handlers to our loggers itself, once.
"""

from __future__ import annotations

import logging

OUR_LOGGERS = ("connectors", "signals", "flows")


def forward_our_loggers() -> None:
    """Give our loggers the handlers Prefect keeps for extra loggers (idempotent)."""
    extra = logging.getLogger("prefect.extra")
    for name in OUR_LOGGERS:
        logger = logging.getLogger(name)
        for handler in extra.handlers:
            if handler not in logger.handlers:
                logger.addHandler(handler)
