"""The inbox: Redis streams of incoming events, one per shard, read by the workers.

The webhook appends; a worker reads with a consumer group and acknowledges only after an
event is fully handled. A message id seen before is not appended again, in the same atomic
step as the append, so a redelivery from Facebook can neither be lost nor doubled.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from webhook import keys
from webhook.logging_setup import user_ref
from webhook.messenger.events import dedup_key
from webhook.redis_text import as_text

SEEN_TTL_SECONDS = 7 * 86400  # Facebook retries for a day at most; a week is generous

_APPEND = """
if KEYS[2] ~= '' then
  if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then return 0 end
end
redis.call('XADD', KEYS[1], '*', 'event', ARGV[1])
return 1
"""


class Inbox:
    """Append to and read from the sharded inbox streams."""

    def __init__(self, client: redis.Redis, shards: int) -> None:
        self.client = client
        self.shards = shards
        self._append = client.register_script(_APPEND)

    def append(self, events: list[dict[str, Any]]) -> int:
        """Queue every new event (in one round trip); return how many were new."""
        pipe = self.client.pipeline(transaction=False)
        for event in events:
            key = dedup_key(event)
            stream = keys.inbox(keys.shard_of(event["psid"], self.shards))
            self._append(keys=[stream, keys.seen(key) if key else ""],
                         args=[json.dumps(event, ensure_ascii=False), SEEN_TTL_SECONDS],
                         client=pipe)
        return sum(int(added) for added in pipe.execute())

    def ensure_groups(self) -> None:
        """Create each shard's consumer group (and stream) if missing."""
        for shard in range(self.shards):
            try:
                self.client.xgroup_create(keys.inbox(shard), keys.INBOX_GROUP, id="0",
                                          mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    def pending_count(self) -> int:
        """Events queued or being handled, over all shards."""
        return sum(self.client.xlen(keys.inbox(shard)) for shard in range(self.shards))

    def entries_after(self, shard: int, entry_id: str,
                      count: int) -> list[tuple[str, dict[str, Any]]]:
        """Up to `count` queued (id, event) after `entry_id` on a shard."""
        found = self.client.xrange(keys.inbox(shard), min=f"({entry_id}", count=count)
        return [(as_text(raw_id), event_of(fields)) for raw_id, fields in found]

    def acknowledge(self, shard: int, entry_ids: tuple[str, ...],
                    pipe: redis.client.Pipeline) -> None:
        """Acknowledge and delete entries (so message text does not linger), in `pipe`."""
        pipe.xack(keys.inbox(shard), keys.INBOX_GROUP, *entry_ids)
        pipe.xdel(keys.inbox(shard), *entry_ids)

    def claim_pending(self, shard: int, consumer: str) -> None:
        """Claim everything pending on a shard for `consumer` (its previous reader is gone)."""
        start = "0-0"
        while True:
            # not justid: redis-py then drops the cursor this loop needs
            reply = self.client.xautoclaim(keys.inbox(shard), keys.INBOX_GROUP, consumer,
                                           min_idle_time=0, start_id=start, count=100)
            start = as_text(reply[0])
            if start == "0-0":
                return

    def dead_letter(self, entry_id: str, event: dict[str, Any]) -> None:
        """Set an event that failed aside, as a summary (no text) for staff to look at."""
        summary = {"entry": entry_id, "kind": event.get("kind", ""), "t": time.time(),
                   "user": user_ref(event.get("psid", ""))}  # so a deletion finds it
        self.client.xadd(keys.dead_letters(), summary, maxlen=10_000, approximate=True)


def event_of(fields: dict) -> dict[str, Any]:
    """The event of a stream entry's fields."""
    return json.loads(as_text(fields.get(b"event") or fields.get("event")))
