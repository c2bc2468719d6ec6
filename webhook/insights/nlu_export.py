"""Write the examples staff assigned into `nlu_data/<language>/studio_examples.yml`.

    python -m webhook.insights.nlu_export [--folder nlu_data] [--skip-also tests/eval]
    make nlu-export

Rasa 3 NLU YAML (`version: "3.1"`), one block per intent, added to what the file already
holds. An example already present anywhere in the folder (or in --skip-also: the held-out
evaluation set, which must stay unseen) is left out, compared in normalised form, so
`rasa data validate --fail-on-warnings` keeps passing. So is text that Rasa would read as an
entity annotation (`[x](y)`) or that YAML would not give back unchanged: it is reported and
dropped. Written examples are marked exported; the console then shows them as waiting for
`make train`.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import redis
import yaml

from bot.project import NLU_DATA, ROOT
from webhook import cli_redis
from webhook.insights import examples as store
from webhook.insights.grouping import normalise
from webhook.services import retention_seconds

FILE_NAME = "studio_examples.yml"
HEADER = ("# Examples staff assigned in the console (Insights > Unanswered), written by\n"
          "# `make nlu-export`. Each export adds to this file; edit or delete lines freely.\n")
# Rasa's own pattern for entity annotations (rasa.shared.nlu.training_data.entities_parser)
_ENTITY = re.compile(r"\[(?P<text>[^\]]+?)\](\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)"
                     r"|\{(?P<dict>[^}]+?)\}|\[(?P<list>.*?)\])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass
class ExportResult:
    """What an export did: examples written per file; those left out, and why."""

    written: dict[Path, int] = field(default_factory=dict)
    already_present: list[store.Example] = field(default_factory=list)
    refused: list[store.Example] = field(default_factory=list)


def export(client: redis.Redis, folder: Path, skip_also: Iterable[Path] = (),
           now: float | None = None) -> ExportResult:
    """Write pending examples into `folder`, mark them exported; what was done."""
    now = time.time() if now is None else now
    waiting = store.pending(store.all_examples(client, now, retention_seconds()))
    result = ExportResult()
    known = known_texts([folder, *skip_also])
    additions: dict[str, dict[str, list[str]]] = {}
    written: list[store.Example] = []
    for example in waiting:
        text = clean(example.text)
        if not representable(text):
            result.refused.append(example)
        elif normalise(text) in known:
            result.already_present.append(example)
        else:
            known.add(normalise(text))
            additions.setdefault(example.language, {}).setdefault(example.intent, []).append(text)
            written.append(example)
    for language, by_intent in sorted(additions.items()):
        path = folder / language / FILE_NAME
        write_file(path, merge(read_file(path), by_intent))
        result.written[path] = sum(len(texts) for texts in by_intent.values())
    store.mark_exported(client, written, now)
    store.forget(client, [*result.already_present, *result.refused])
    return result


def clean(text: str) -> str:
    """One line, no control characters, no surrounding spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def representable(text: str) -> bool:
    """True when Rasa would read `text` back unchanged as one plain example."""
    if not text or _ENTITY.search(text):
        return False
    try:
        return read_back(render({"x": [text]})) == {"x": [text]}
    except yaml.YAMLError:
        return False


def known_texts(folders: Iterable[Path]) -> set[str]:
    """The normalised text of every example in the YAML files under `folders`."""
    texts: set[str] = set()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.yml")):
            for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
                texts.update(normalise(_ENTITY.sub(r"\g<text>", text))
                             for text in _examples(block.get("examples")))
    return texts


def read_file(path: Path) -> dict[str, list[str]]:
    """Intent -> examples of an NLU file (empty when it does not exist)."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {block["intent"]: list(_examples(block.get("examples")))
            for block in data.get("nlu") or [] if "intent" in block}


def merge(existing: dict[str, list[str]], new: dict[str, list[str]]) -> dict[str, list[str]]:
    """The file's intents with the new examples appended, intents in alphabetical order."""
    merged = {intent: list(texts) for intent, texts in existing.items()}
    for intent, texts in new.items():
        merged.setdefault(intent, []).extend(texts)
    return dict(sorted(merged.items()))


def render(by_intent: dict[str, list[str]]) -> str:
    """The YAML text of an NLU file, in the style of the other files in nlu_data/."""
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "nlu:"]
    for intent, texts in by_intent.items():
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {text}" for text in texts)]
    return "\n".join(lines) + "\n"


def write_file(path: Path, by_intent: dict[str, list[str]]) -> None:
    """Write the file (its examples are representable, so it reads back as written)."""
    text = render(by_intent)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def read_back(text: str) -> dict[str, list[str]]:
    """Intent -> examples, parsed the way Rasa splits an `examples: |` block."""
    data = yaml.safe_load(text) or {}
    return {block["intent"]: list(_examples(block["examples"])) for block in data["nlu"]}


def _examples(block: object) -> Iterable[str]:
    if not isinstance(block, str):
        return []
    return [line[1:].strip() for line in block.splitlines() if line.startswith("-")]


def main(argv: list[str] | None = None) -> int:
    """Command line: export, then say what happened and what to do next."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=NLU_DATA,
                        help="the training data folder to write into (default: nlu_data)")
    parser.add_argument("--skip-also", type=Path, action="append",
                        default=None, help="more NLU folders whose examples are left out "
                                           "(default: tests/eval)")
    args = parser.parse_args(argv)
    client = cli_redis.connect()
    if client is None:
        return 2
    skip = args.skip_also if args.skip_also is not None else [ROOT / "tests" / "eval"]
    try:
        result = export(client, args.folder, [p for p in skip if p.exists()])
    except redis.RedisError as exc:
        return cli_redis.unreachable(exc)
    for path, count in result.written.items():
        print(f"wrote {count} example(s) to {path}")
    if result.already_present:
        print(f"{len(result.already_present)} example(s) already in the training data: skipped")
    for example in result.refused:
        print(f"not exported (Rasa would not read it as plain text; add it by hand if it "
              f"matters): {example.text!r}")
    if result.written:
        print("next: review with `git diff nlu_data`, then `make validate` and `make train`")
    else:
        print("nothing new to export")
    return 0


if __name__ == "__main__":
    sys.exit(main())
