"""Where the parts of the Rasa project live, and what the stories use."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
DOMAIN_DIR = BOT / "domain"
CORE_DOMAIN = DOMAIN_DIR / "core.yml"
GENERATED_DOMAIN = DOMAIN_DIR / "responses.yml"
CONFIG = BOT / "config.yml"
ENDPOINTS = BOT / "endpoints.yml"
CREDENTIALS = BOT / "credentials.yml"
COMPONENTS = BOT / "components"
NLU_DATA = ROOT / "nlu_data"
STORIES = ROOT / "stories"
TEST_STORIES = STORIES / "tests"
RESPONSES = ROOT / "responses"
MODELS = ROOT / "models"


def training_story_files() -> list[Path]:
    """Rules and stories the model learns from (test conversations live apart, in tests/)."""
    return sorted(STORIES.glob("*.yml"))


def intents() -> set[str]:
    """The intents the model knows, from the domain."""
    domain = yaml.safe_load(CORE_DOMAIN.read_text(encoding="utf-8"))
    return set(domain["intents"])


def used_responses() -> set[str]:
    """Every `utter_…` action named in rules, stories and the policy configuration."""
    names = set()
    for path in [*training_story_files(), CONFIG]:
        names.update(_utter_names(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return names


def _utter_names(node: object) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_utter_names(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_utter_names(item) for item in node))
    if isinstance(node, str) and node.startswith("utter_"):
        return {node}
    return set()
