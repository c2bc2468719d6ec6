"""Move content between the content store and YAML files (`responses/`'s layout).

    python -m webhook.content.transfer export [--to DIR]
    python -m webhook.content.transfer import [--from DIR] --author NAME [--comment TEXT]
                                              [--delete-missing]

Export writes what is published; import publishes what differs (a version per changed item,
after checking everything, so a broken file changes nothing). Export then import, or import
then export, loses nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import redis

from bot.project import intents
from webhook import cli_redis
from webhook.config import ROOT
from webhook.content.export import write_folder
from webhook.content.loader import ContentError, load_folder
from webhook.content.validate import validate
from webhook.content.versions import ContentVersions

DEFAULT_FOLDER = ROOT / "responses"


def export(client: redis.Redis, folder: Path) -> str:
    """Write the published content into `folder`; what to print."""
    versions = ContentVersions(client)
    revision, content = versions.snapshot()
    if not revision:
        raise ContentError("the content store is empty: nothing to export (the web app fills "
                           "it from responses/ when it starts)")
    written = write_folder(content, folder)
    return f"exported revision {revision}: {len(written)} files into {folder}"


def import_folder(client: redis.Redis, folder: Path, author: str, comment: str,
                  delete_missing: bool = False) -> str:
    """Publish the folder's content where it differs from the store; what to print."""
    content = load_folder(folder)
    problems = validate(content.responses, content.settings, intents())
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise ContentError(f"nothing imported, {len(problems)} problems:\n{listed}")
    changed = ContentVersions(client).import_content(
        content, author, comment or f"Imported from {folder.name}/",
        delete_missing=delete_missing)
    return f"imported {len(changed)} changed items" + (f": {', '.join(changed)}" if changed
                                                        else " (the store already matched)")


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 when refused, 2 on bad set-up."""
    args = _parser().parse_args(argv)
    if args.command == "export":
        return cli_redis.run(lambda client: export(client, args.to), (ContentError,))
    return cli_redis.run(lambda client: import_folder(client, args.source, args.author,
                                                      args.comment, args.delete_missing),
                         (ContentError,))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m webhook.content.transfer",
                                     description="Export or import answer content as YAML.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    export_command = commands.add_parser("export", help="write the published content to YAML")
    export_command.add_argument("--to", type=Path, default=DEFAULT_FOLDER)
    import_command = commands.add_parser("import", help="publish YAML files' content")
    import_command.add_argument("--from", dest="source", type=Path, default=DEFAULT_FOLDER)
    import_command.add_argument("--author", required=True, help="who is importing (history)")
    import_command.add_argument("--comment", default="")
    import_command.add_argument("--delete-missing", action="store_true",
                                help="also remove answers the files do not have")
    return parser


if __name__ == "__main__":
    sys.exit(main())
