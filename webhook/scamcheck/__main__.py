"""Check messages from standard input, one per line: `python -m webhook.scamcheck [--json]`.

With --json, one JSON object per input line, in the same order:
{"verdict": "strong|some|none", "signs": [{"code", "evidence", "explanation": {"en", "km"}}],
 "links": [...], "phones": [...], "matches": [...]}
Without it, the answer a person would read. No server is needed: with REDIS_URL set, the
published answers, settings and scam alerts come from Redis, else from responses/ and the
seeded alerts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

from bot.language import ENGLISH, detect
from bot.project import RESPONSES
from webhook.content.loader import load_folder
from webhook.content.model import ContentSet
from webhook.scamcheck.alerts import Alert, seeded_alerts
from webhook.scamcheck.explain import checker_for, plain_text, result_json


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin,
         stdout: TextIO = sys.stdout) -> int:
    """Read messages, write verdicts; exit 0."""
    parser = argparse.ArgumentParser(prog="python -m webhook.scamcheck", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--language", choices=("en", "km"),
                        help="language of the human answer (default: the message's)")
    args = parser.parse_args(argv)
    content, alerts = _sources()
    checker = checker_for(content.settings, alerts)
    for line in stdin:
        text = line.rstrip("\n")
        result = checker.check(text)
        if args.json:
            stdout.write(json.dumps(result_json(result, content), ensure_ascii=False) + "\n")
        else:
            language = args.language or _language(text)
            stdout.write(plain_text(result, content, language) + "\n\n-----\n")
        stdout.flush()
    return 0


def _language(text: str) -> str:
    return ENGLISH if detect(text).reply_language == ENGLISH else "km"


def _sources() -> tuple[ContentSet, list[Alert]]:
    """Answers, settings and alerts: from Redis when REDIS_URL is set, else from the repo."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return load_folder(RESPONSES), seeded_alerts()
    import redis

    from webhook.content.published import PublishedContent
    from webhook.scamcheck.library import AlertLibrary

    client = redis.Redis.from_url(url)
    return PublishedContent(client, RESPONSES).current(), AlertLibrary(client).alerts()


if __name__ == "__main__":
    sys.exit(main())
