"""The ``vroegsignaal`` command line: the operator's entry point to flows and connectors."""
