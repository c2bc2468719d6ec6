"""Rasa's own Facebook channel, pointed at the Graph API stand-in: the baseline to beat.

Used only by `make bench`: credentials name `tests.bench.facebook_baseline.LocalFacebookInput`,
and GRAPH_STANDIN_URL says where the stand-in listens.
"""

from __future__ import annotations

import os

import fbmessenger
from rasa.core.channels.facebook import FacebookInput

_original_init = fbmessenger.MessengerClient.__init__


def _local_init(self, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
    _original_init(self, *args, **kwargs)
    self.graph_url = f"{os.environ['GRAPH_STANDIN_URL']}/v{self.api_version}"


fbmessenger.MessengerClient.__init__ = _local_init


class LocalFacebookInput(FacebookInput):
    """Rasa's Facebook channel, unchanged but for where it sends."""
