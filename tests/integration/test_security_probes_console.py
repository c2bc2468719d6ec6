"""The console's probes of the security review (tests/security/probes_console.py) run against
the shared stack and find every hole closed."""

from tests.security.probe import Target
from tests.security.probes_console import PROBES


def test_the_console_probes_find_everything_closed(stack):
    target = Target(stack.web_url, stack.rasa_url, stack.redis_url)
    results = {probe.name: probe.run(target) for probe in PROBES}
    assert {name: r.status for name, r in results.items()} == {
        name: "closed" for name in results}, {n: r.detail for n, r in results.items()}
