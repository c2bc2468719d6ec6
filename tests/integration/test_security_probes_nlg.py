"""Finding 1 of the security review (issue 10): every /nlg probe finds it closed on the stack."""

import pytest

from tests.security.probe import Target
from tests.security.probes_nlg import PROBES


@pytest.mark.parametrize("probe", PROBES, ids=lambda probe: probe.name)
def test_the_nlg_probe_finds_it_closed(stack, probe):
    target = Target(stack.web_url, stack.rasa_url, stack.redis_url,
                    extra={"nlg_token": stack.secrets["NLG_TOKEN"]})
    result = probe.run(target)
    assert result.status == "closed", result.detail
