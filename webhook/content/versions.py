"""The content store's history: drafts, published versions, restore, and import from files.

Every published change is a numbered version with its author, time and comment, and the data
it published. Changes are checked against the version the editor opened: if someone else
changed the item (or its draft) since, the change is refused with a `Conflict`, never silently
overwritten.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import redis

from webhook import keys, metrics
from webhook.content.codec import (
    response_from_data,
    response_to_data,
    settings_from_data,
    settings_to_data,
)
from webhook.content.model import LANGUAGES, SETTINGS_ITEM, ContentSet, Response
from webhook.redis_text import as_text

# KEYS: revision, published, item revisions, history, language revisions, draft
# ARGV: item, base revision, expected draft stamp, data ("" deletes), version prefix,
#       author, time, comment, action, changed languages (comma separated), channel
_PUBLISH = """
local current = redis.call('HGET', KEYS[3], ARGV[1]) or '0'
local stamp = redis.call('HGET', KEYS[6], 'stamp') or ''
if current ~= ARGV[2] or stamp ~= ARGV[3] then return {0, current} end
local rev = redis.call('INCR', KEYS[1])
if ARGV[4] == '' then redis.call('HDEL', KEYS[2], ARGV[1])
else redis.call('HSET', KEYS[2], ARGV[1], ARGV[4]) end
redis.call('HSET', KEYS[3], ARGV[1], rev)
redis.call('HSET', ARGV[5] .. rev, 'item', ARGV[1], 'data', ARGV[4], 'author', ARGV[6],
           'time', ARGV[7], 'comment', ARGV[8], 'action', ARGV[9], 'languages', ARGV[10])
redis.call('LPUSH', KEYS[4], rev)
for language in string.gmatch(ARGV[10], '[^,]+') do redis.call('HSET', KEYS[5], language, rev) end
redis.call('DEL', KEYS[6])
redis.call('PUBLISH', ARGV[11], rev)
return {1, rev}
"""

# KEYS: item revisions, draft.  ARGV: item, base revision, expected stamp, new stamp, data,
# author, time
_SAVE_DRAFT = """
local current = redis.call('HGET', KEYS[1], ARGV[1]) or '0'
local stamp = redis.call('HGET', KEYS[2], 'stamp') or ''
if current ~= ARGV[2] or stamp ~= ARGV[3] then return {0, current} end
redis.call('HSET', KEYS[2], 'data', ARGV[5], 'base', ARGV[2], 'stamp', ARGV[4],
           'author', ARGV[6], 'time', ARGV[7])
return {1, current}
"""


class Conflict(Exception):
    """The item (or its draft) changed since the editor opened it."""

    def __init__(self, item: str, latest: VersionInfo | None, draft: Draft | None) -> None:
        super().__init__(f"{item} changed since it was opened")
        self.item = item
        self.latest = latest
        self.draft = draft


@dataclass(frozen=True)
class VersionInfo:
    """One published version of an item."""

    revision: int
    item: str
    data: dict[str, Any] | None
    author: str
    time: float
    comment: str
    action: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Draft:
    """An unpublished change to an item."""

    data: dict[str, Any]
    base: int
    stamp: str
    author: str
    time: float


@dataclass(frozen=True)
class Opened:
    """What an editor had open: the item's revision and its draft's stamp ("" for none)."""

    revision: int
    stamp: str = ""

    def token(self) -> str:
        """Carried in the edit form, so a save can tell whether anything changed since."""
        return f"{self.revision}.{self.stamp}"

    @classmethod
    def from_token(cls, token: str) -> Opened:
        """The inverse of token(); a malformed token never matches anything."""
        revision, _, stamp = token.partition(".")
        return cls(int(revision) if revision.isdigit() else -1, stamp)


class ContentVersions:
    """Drafts, publishing, history and restore of the content in Redis."""

    def __init__(self, client: redis.Redis, store: str = "content") -> None:
        self.client = client
        self.store = store  # the key prefix: the scam alert library is a store of its own
        self._publish = client.register_script(_PUBLISH)
        self._save_draft = client.register_script(_SAVE_DRAFT)

    # reading

    def revision(self) -> int:
        """The store's revision (0 when nothing was ever published)."""
        return int(self.client.get(keys.content_revision(store=self.store)) or 0)

    def item(self, item: str) -> tuple[dict[str, Any] | None, int]:
        """An item's published data (None if it has none) and the revision that set it."""
        pipe = self.client.pipeline()
        pipe.hget(keys.content_published(store=self.store), item)
        pipe.hget(keys.content_item_revisions(store=self.store), item)
        data, revision = pipe.execute()
        return (json.loads(data) if data else None), int(revision or 0)

    def opened(self, item: str) -> Opened:
        """What an editor opening `item` now has open."""
        pipe = self.client.pipeline()
        pipe.hget(keys.content_item_revisions(store=self.store), item)
        pipe.hget(keys.content_draft(item, store=self.store), "stamp")
        revision, stamp = pipe.execute()
        return Opened(int(revision or 0), as_text(stamp))

    def snapshot(self) -> tuple[int, ContentSet]:
        """The store's revision and everything published at it, read at one instant."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(keys.content_revision(store=self.store))
        pipe.hgetall(keys.content_published(store=self.store))
        pipe.hgetall(keys.content_topics(store=self.store))
        pipe.get(keys.content_order(store=self.store))
        revision, published, topics, order = pipe.execute()
        return int(revision or 0), _content_set(published, topics, json.loads(order or "[]"))

    def draft(self, item: str) -> Draft | None:
        """The item's unpublished draft, if any."""
        fields = {as_text(k): as_text(v) for k, v in
                  self.client.hgetall(keys.content_draft(item, store=self.store)).items()}
        if not fields.get("stamp"):
            return None
        return Draft(data=json.loads(fields["data"]), base=int(fields.get("base") or 0),
                     stamp=fields["stamp"], author=fields.get("author", ""),
                     time=float(fields.get("time") or 0))

    def drafts(self, items: list[str]) -> dict[str, Draft]:
        """The drafts among `items`."""
        found = {item: self.draft(item) for item in items}
        return {item: draft for item, draft in found.items() if draft}

    def history(self, item: str, limit: int = 50) -> list[VersionInfo]:
        """The item's versions, newest first."""
        revisions = self.client.lrange(keys.content_history(item, store=self.store), 0, limit - 1)
        found = (self.version(int(revision)) for revision in revisions)
        return [version for version in found if version]

    def version(self, revision: int) -> VersionInfo | None:
        """One version by its revision number."""
        fields = {as_text(k): as_text(v) for k, v in
                  self.client.hgetall(f"{keys.content_version_prefix(store=self.store)}{revision}").items()}
        if not fields:
            return None
        return VersionInfo(
            revision=revision, item=fields["item"],
            data=json.loads(fields["data"]) if fields.get("data") else None,
            author=fields.get("author", ""), time=float(fields.get("time") or 0),
            comment=fields.get("comment", ""), action=fields.get("action", ""),
            languages=tuple(filter(None, fields.get("languages", "").split(","))),
        )

    def language_revisions(self, item: str) -> dict[str, int]:
        """For each language, the revision that last changed it."""
        found = self.client.hgetall(keys.content_language_revisions(item, store=self.store))
        return {as_text(language): int(revision) for language, revision in found.items()}

    # writing

    def save_draft(self, item: str, data: dict[str, Any], opened: Opened, author: str) -> Draft:
        """Keep `data` as the item's draft; Conflict if it changed since `opened`."""
        stamp, now = uuid.uuid4().hex[:12], time.time()
        ok, _ = self._save_draft(
            keys=[keys.content_item_revisions(store=self.store),
                  keys.content_draft(item, store=self.store)],
            args=[item, opened.revision, opened.stamp, stamp, _dump(data), author, now])
        if not ok:
            raise self._conflict(item)
        return Draft(data=data, base=opened.revision, stamp=stamp, author=author, time=now)

    def discard_draft(self, item: str) -> None:
        """Forget the item's draft."""
        self.client.delete(keys.content_draft(item, store=self.store))

    def publish(self, item: str, data: dict[str, Any] | None, opened: Opened, author: str,
                comment: str, action: str = "publish") -> int:
        """Publish `data` (None removes the item) as a new version; its revision number.

        The item's draft is gone afterwards. Conflict if the item or its draft changed since
        `opened`.
        """
        before, _ = self.item(item)
        changed = _changed_languages(before, data)
        ok, revision = self._publish(
            keys=[keys.content_revision(store=self.store),
                  keys.content_published(store=self.store),
                  keys.content_item_revisions(store=self.store),
                  keys.content_history(item, store=self.store),
                  keys.content_language_revisions(item, store=self.store),
                  keys.content_draft(item, store=self.store)],
            args=[item, opened.revision, opened.stamp, _dump(data) if data else "",
                  keys.content_version_prefix(store=self.store), author, time.time(), comment,
                  action, ",".join(changed), keys.content_channel(store=self.store)])
        if not ok:
            raise self._conflict(item)
        metrics.CONTENT_PUBLISHES.inc()
        return int(revision)

    def restore(self, item: str, revision: int, opened: Opened, author: str,
                comment: str = "") -> int:
        """Publish again what version `revision` of the item published."""
        old = self.version(revision)
        if old is None or old.item != item:
            raise KeyError(f"no version {revision} of {item}")
        note = f"Restored version {revision}" + (f": {comment}" if comment else "")
        return self.publish(item, old.data, opened, author, note, action="restore")

    def import_content(self, content: ContentSet, author: str, comment: str,
                       only_missing: bool = False, delete_missing: bool = False) -> list[str]:
        """Publish every item of `content` that differs from the store; the items changed.

        `only_missing` adds new items and leaves edited ones alone (seeding a deployment);
        `delete_missing` removes items that `content` does not have.
        """
        wanted = item_data(content)
        revision, current = self.snapshot()
        have = item_data(current) if revision else {}
        self._keep_layout(content, list(current.responses))
        changed = []
        for item, data in wanted.items():
            if item in have and (only_missing or have[item] == data):
                continue
            self.publish(item, data, self.opened(item), author, comment, action="import")
            changed.append(item)
        for item in sorted(set(have) - set(wanted)) if delete_missing else []:
            self.publish(item, None, self.opened(item), author, comment, action="import")
            changed.append(item)
        return changed

    def seed(self, content: ContentSet, author: str = "responses/") -> list[str]:
        """Add the items the store does not have yet (one process at a time)."""
        lock = self.client.lock(keys.content_seed_lock(store=self.store), timeout=60,
                                blocking_timeout=30)
        with lock:
            return self.import_content(content, author, "Added from responses/",
                                       only_missing=True)

    def _keep_layout(self, content: ContentSet, known: list[str]) -> None:
        order = list(content.responses) + [name for name in known
                                           if name not in content.responses]
        pipe = self.client.pipeline()
        pipe.set(keys.content_order(store=self.store), json.dumps(order))
        if content.topics:
            pipe.hset(keys.content_topics(store=self.store), mapping=content.topics)
        pipe.execute()

    def _conflict(self, item: str) -> Conflict:
        history = self.history(item, limit=1)
        return Conflict(item, history[0] if history else None, self.draft(item))


def item_data(content: ContentSet) -> dict[str, dict[str, Any]]:
    """Item name → plain data, for every answer and the settings."""
    items = {name: {"topic": response.topic, **response_to_data(response)}
             for name, response in content.responses.items()}
    items[SETTINGS_ITEM] = settings_to_data(content.settings)
    return items


def response_from_item(name: str, data: dict[str, Any]) -> Response:
    """The answer stored as item `name`."""
    body = {key: value for key, value in data.items() if key != "topic"}
    return response_from_data(str(data.get("topic", "")), name, body)


def _content_set(published: dict[bytes, bytes], topics: dict[bytes, bytes],
                 order: list[str]) -> ContentSet:
    items = {as_text(item): json.loads(data) for item, data in published.items()}
    settings = settings_from_data(items.pop(SETTINGS_ITEM, {}))
    position = {name: index for index, name in enumerate(order)}
    names = sorted(items, key=lambda name: (position.get(name, len(position)), name))
    responses = {name: response_from_item(name, items[name]) for name in names}
    return ContentSet(responses=responses, settings=settings,
                      topics={as_text(k): as_text(v) for k, v in topics.items()})


def _changed_languages(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    before, after = before or {}, after or {}
    return [language for language in LANGUAGES if before.get(language) != after.get(language)]


def _dump(data: dict[str, Any] | None) -> str:
    return json.dumps(data, ensure_ascii=False)  # key order kept: exports read as written
