"""The project's tests, benchmarks and suites.

Stacks started from here (tests, `make bench`, the resilience suites) do not ask "Did this
help?" after answers (FEEDBACK_QUESTION=off), because their checks expect each message's exact
answer; the question is tested on its own, with workers started with it on
(tests/integration/test_ways_in.py, tests/browser/test_campaign_links.py).
"""

import os

os.environ.setdefault("FEEDBACK_QUESTION", "off")
