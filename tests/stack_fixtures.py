"""The running stack, for test folders other than tests/integration (nothing new here).

`stack` (embedded Redis, the Graph API stand-in, the web app, Rasa and the workers) is defined
in tests/integration/conftest.py; this module only names it in one more place. Importing it
into a folder's conftest.py registers it there too, but pytest keeps one cached value per
conftest that registers it: when tests/integration and another folder run in ONE pytest
session, each starts its own stack. `make test` runs each folder in its own pytest process,
so that does not happen there. Moving `stack` into tests/conftest.py would give one stack
to every folder.
"""

from tests.integration.conftest import stack

__all__ = ["stack"]
