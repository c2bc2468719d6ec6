"""Two Rasa replicas on the shared stack: one is stopped while users write; nothing is lost,
doubled or out of order, and its users are served by the other after the failover patience.
(The stack gets a second replica and restarted workers for this module, and is put back.)"""

import pytest

from tests.conftest import LOGS
from tests.resilience import replicas


@pytest.fixture(scope="module")
def two_replicas(stack):
    stack.rasa_replicas = 2
    stack.extra_env["RASA_FAILOVER_SECONDS"] = f"{replicas.FAILOVER_S:g}"
    stack.start_rasa_replica(1, LOGS)
    stack.restart_workers(LOGS)
    yield stack
    stack.stop_service(stack.rasa_name(1))
    stack.rasa_replicas = 1
    stack.extra_env.pop("RASA_FAILOVER_SECONDS")
    stack.restart_workers(LOGS)


def test_a_stopped_replica_loses_doubles_and_reorders_nothing(two_replicas):
    result = replicas.outage(two_replicas, users=8, per_user=5, down_s=8, log_dir=LOGS)
    assert result.ok, "\n" + replicas.outage_table(result) + "\n" + \
        "\n".join(result.tally.problems[:5])
