"""Pure domain logic of vroegsignaal: functions from DataFrames to DataFrames.

Nothing in this package reads or writes files, talks to a database or imports Prefect;
``connectors`` does the I/O and ``flows`` wires the two together.
"""
