"""The short forms of the load and fault suites (tests/resilience) on the shared stack; `make
bench` runs the long forms. The fault suite kills and restarts parts of the stack and leaves it
all running again (files run in alphabetical order: this one after the other pipeline tests)."""

from tests.conftest import LOGS
from tests.resilience import faults, load


def test_load_short_form_loses_doubles_and_reorders_nothing(stack):
    result = load.run(stack, **load.SHORT)
    assert result.ok, "\n" + load.tables(result) + "\n" + "\n".join(result.tally.problems[:5])


def test_fault_suite_short_form(stack):
    results = faults.run(stack, faults.SHORT, LOGS)
    problems = [p for r in results if r.tally for p in r.tally.problems[:3]]
    assert all(r.ok for r in results), "\n" + faults.table(results) + "\n" + "\n".join(problems)
