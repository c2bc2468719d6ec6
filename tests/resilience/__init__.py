"""Resilience suites against the whole running stack (issue 6).

- `python -m tests.resilience.faults --short|--long`: crashes and outages while users write;
- `python -m tests.resilience.load --users N --messages M --rate R`: steady load.
Each prints a table and exits non-zero on any failure; `make test` runs the short forms
(tests/integration/test_resilience_suites.py) and `make bench` the long ones.
"""
