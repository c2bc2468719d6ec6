"""`make content-check`: fail on any answer that breaks the rules in docs/content-guide.md.

Run: python -m webhook.content.check
"""

from __future__ import annotations

import sys

from bot import domain_sync
from bot.project import RESPONSES, intents, used_responses
from webhook.content.glossary import warnings
from webhook.content.loader import ContentError, load_folder
from webhook.content.validate import missing_responses, validate


def main() -> int:
    """Print every problem; exit 1 if there is any."""
    try:
        content = load_folder(RESPONSES)
    except ContentError as exc:
        print(f"content-check: {exc}", file=sys.stderr)
        return 1
    responses = content.responses
    problems = validate(responses, content.settings, intents())
    problems += missing_responses(responses, used_responses())
    for problem in problems:
        print(f"content-check: {problem}", file=sys.stderr)
    for name in sorted(responses):
        for warning in warnings(responses[name]):
            print(f"content-check: warning: {warning}", file=sys.stderr)
    stale = domain_sync.main(["--check"])
    if problems or stale:
        return 1
    print(f"content-check: {len(responses)} answers in 2 languages, all within limits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
