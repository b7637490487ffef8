"""Risk scoring: which open cases escalate next, learned from the pipeline's own history.

Pure functions on DataFrames (no I/O, no Prefect): the problem definition and its labels
(``problem``), features as of a night (``features``), the estimators (``estimators``),
rolling-origin validation and its metrics (``validation``, ``metrics``), Dutch explanations
(``explain``), the bias audit (``audit``) and the reports (``report``). A score orders the work
within the policy's priority bands; it never removes the offer of help a signal entitles to.
"""
