"""The Page's Messenger Profile: Get Started button, greeting, persistent menu, ice breakers.

    python -m webhook.messenger.profile apply [--dry-run]   # set all four in ONE call
    python -m webhook.messenger.profile show                # print what the Page has now
    python -m webhook.messenger.profile delete              # remove the four fields

The Messenger Profile API allows 10 calls per 10 minutes per Page, so `apply` makes a single
call and is never retried. Texts are built from the published `org_name` setting (the content
store when REDIS_URL is set, else `responses/settings.yml`) and
checked against Messenger's limits before anything is sent. `km_KH` is not on Messenger's
documented locale list, so every `default` text is bilingual (English and Khmer) and Khmer
readers can use it whatever Facebook shows them; `km_KH` gets Khmer only. Note that ice
breakers, when set, are shown instead of the Get Started button (Meta's precedence); the button
is still needed, because the persistent menu requires it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import requests

from webhook import services
from webhook.config import ensure_secrets, from_environment
from webhook.content.loader import ContentError
from webhook.content.model import Settings
from webhook.messenger.send_api import (
    SendError,
    bearer,
    error_from_response,
    translate_request_error,
)
from webhook.messenger.signature import appsecret_proof
from webhook.redis_connect import connect
from webhook.scamcheck.conversation import CHECK_MESSAGE

FIELDS = ("get_started", "greeting", "persistent_menu", "ice_breakers")
GET_STARTED = "GET_STARTED"
GREETING_MAX = 160
MENU_TITLE_MAX = 30
MENU_ITEMS_MAX = 3
ICE_BREAKERS_MAX = 4
QUESTION_MAX = 80
PAYLOAD_MAX = 1000

# Per locale, greetings from the richest to the shortest: the first within 160 characters wins.
GREETINGS = {
    "default": (
        "Welcome to {en}: help with scams, hacked accounts, threats. "
        "សូមស្វាគមន៍មកកាន់ {km}។ សួរយើងអំពីសុវត្ថិភាពអនឡាញ។",
        "Welcome to {en}. សូមស្វាគមន៍មកកាន់ {km}។",
    ),
    "km_KH": (
        "សូមស្វាគមន៍មកកាន់ {km}។ សួរយើងអំពីការឆបោក គណនីត្រូវគេលួច និងការគំរាមកំហែងតាមអនឡាញ។",
        "សូមស្វាគមន៍មកកាន់ {km}។",
    ),
}
# The scam check takes the menu's first place (decision 51): the main menu stays one tap away
# in the quick replies of most answers, and typing "menu" shows it.
MENUS = {  # (title, postback payload)
    "default": (("Check a message / ពិនិត្យសារ", CHECK_MESSAGE),
                ("Human help / ជំនួយពីមនុស្ស", "/request_human"),
                ("Language / ភាសា", "/change_language")),
    "km_KH": (("ពិនិត្យសារ", CHECK_MESSAGE),
              ("និយាយជាមួយមនុស្ស", "/request_human"),
              ("ភាសា / Language", "/change_language")),
}
ICE_BREAKERS = {  # (question, payload)
    "default": (("Is this a scam? / តើនេះជាការឆបោកទេ?", CHECK_MESSAGE),
                ("My account was hacked / គណនីខ្ញុំត្រូវគេលួច", "/account_hacked"),
                ("I am being threatened / ខ្ញុំកំពុងត្រូវគេគំរាម", "/online_harassment"),
                ("Talk to a person / និយាយជាមួយមនុស្ស", "/request_human")),
    "km_KH": (("តើនេះជាការឆបោកទេ?", CHECK_MESSAGE),
              ("គណនីខ្ញុំត្រូវគេលួច", "/account_hacked"),
              ("ខ្ញុំកំពុងត្រូវគេគំរាម", "/online_harassment"),
              ("និយាយជាមួយមនុស្ស", "/request_human")),
}


class ProfileError(ValueError):
    """The profile would break Messenger's rules (the message says which and why)."""


def build_profile(settings: Settings) -> dict[str, Any]:
    """The whole profile body for one Messenger Profile API call, checked against the limits."""
    names = {lang: settings.value("org_name", lang).strip() for lang in ("en", "km")}
    if not all(names.values()):
        raise ProfileError("settings.yml: org_name needs both an en and a km text")
    profile = {
        "get_started": {"payload": GET_STARTED},
        "greeting": [{"locale": locale, "text": _fit(templates, names, locale)}
                     for locale, templates in GREETINGS.items()],
        "persistent_menu": [_menu(locale, items) for locale, items in MENUS.items()],
        "ice_breakers": [
            {"locale": locale,
             "call_to_actions": [{"question": q, "payload": p} for q, p in questions]}
            for locale, questions in ICE_BREAKERS.items()],
    }
    problems = profile_problems(profile)
    if problems:
        raise ProfileError("; ".join(problems))
    return profile


def _fit(templates: tuple[str, ...], names: dict[str, str], locale: str) -> str:
    for template in templates:
        text = template.format(**names)
        if len(text) <= GREETING_MAX:
            return text
    raise ProfileError(f"greeting ({locale}) is over {GREETING_MAX} characters even in its "
                       f"shortest form: shorten org_name in settings.yml")


def _menu(locale: str, items: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {"locale": locale, "composer_input_disabled": False,
            "call_to_actions": [{"type": "postback", "title": title, "payload": payload}
                                for title, payload in items]}


def profile_problems(profile: dict[str, Any]) -> list[str]:
    """Every way the profile breaks Messenger's limits (empty when it is fine)."""
    problems = [f"{field}: a 'default' locale is required"
                for field in ("greeting", "persistent_menu", "ice_breakers")
                if field in profile and "default" not in _locales(profile[field])]
    for greeting in profile.get("greeting", []):
        problems += _too_long(f"greeting ({greeting['locale']})", greeting["text"],
                              GREETING_MAX)
    for menu in profile.get("persistent_menu", []):
        problems += _limits(f"persistent_menu ({menu['locale']})", menu["call_to_actions"],
                            MENU_ITEMS_MAX, "title", MENU_TITLE_MAX)
    for breakers in profile.get("ice_breakers", []):
        problems += _limits(f"ice_breakers ({breakers['locale']})",
                            breakers["call_to_actions"], ICE_BREAKERS_MAX, "question",
                            QUESTION_MAX)
    return problems


def _locales(entries: list[dict[str, Any]]) -> set[str]:
    return {entry.get("locale") for entry in entries}


def _limits(where: str, items: list[dict[str, Any]], most: int, label: str,
            label_max: int) -> list[str]:
    problems = [f"{where}: {len(items)} items, at most {most}"] if len(items) > most else []
    for item in items:
        problems += _too_long(f"{where} {label}", item[label], label_max)
        problems += _too_long(f"{where} payload", item.get("payload", ""), PAYLOAD_MAX)
    return problems


def _too_long(where: str, text: str, most: int) -> list[str]:
    if not text:
        return [f"{where}: empty"]
    return [f"{where}: {len(text)} characters, at most {most}"] if len(text) > most else []


class ProfileApi:
    """The Page's Messenger Profile on the Graph API: one attempt per call, no retries."""

    def __init__(self, graph_url: str, version: str, page_token: str, app_secret: str,
                 timeout: float = 10.0, session: requests.Session | None = None) -> None:
        proof = appsecret_proof(page_token, app_secret)
        self._url = f"{graph_url.rstrip('/')}/{version}/me/messenger_profile"
        self._headers = bearer(page_token)
        self._proof = proof
        self._secrets = (page_token, proof)
        self.timeout = timeout
        self._session = session or requests.Session()

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ProfileApi:
        """A client from the app's configuration."""
        return cls(config["GRAPH_API_URL"], config["GRAPH_API_VERSION"],
                   config["FB_PAGE_ACCESS_TOKEN"], config["FB_APP_SECRET"])

    def set(self, profile: dict[str, Any]) -> None:
        """Set the given fields (others are left as they are)."""
        self._request("POST", body=profile)

    def get(self, fields: tuple[str, ...] = FIELDS) -> dict[str, Any]:
        """The fields that are set now ({} when none)."""
        data = self._request("GET", params={"fields": ",".join(fields)}).get("data") or [{}]
        return data[0]

    def delete(self, fields: tuple[str, ...] = FIELDS) -> None:
        """Remove the fields."""
        self._request("DELETE", body={"fields": list(fields)})

    def _request(self, method: str, params: dict[str, str] | None = None,
                 body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The token goes in the header; the proof in the body, or for a GET (which has no
        body) in the query: the proof alone authorises nothing (an HMAC of the token)."""
        params = dict(params or {})
        if body is None:
            params["appsecret_proof"] = self._proof
        else:
            body = {**body, "appsecret_proof": self._proof}
        try:
            response = self._session.request(method, self._url, json=body, timeout=self.timeout,
                                             headers=self._headers, params=params)
        except requests.RequestException as exc:
            raise translate_request_error(exc) from exc
        if not 200 <= response.status_code < 300:
            raise error_from_response(response, self._secrets)
        try:
            return response.json()
        except ValueError:
            return {}


def _apply(api: ProfileApi, config: dict[str, Any], dry_run: bool) -> None:
    client = connect(config["REDIS_URL"]) if config.get("REDIS_URL") else None
    profile = build_profile(services.content(config, client).settings())
    if dry_run:
        print(json.dumps(profile, ensure_ascii=False, indent=2))
        return
    api.set(profile)
    print(f"Messenger profile set: {', '.join(profile)}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m webhook.messenger.profile",
                                     description="Set, show or delete the Messenger Profile.")
    parser.add_argument("command", choices=("apply", "show", "delete"))
    parser.add_argument("--dry-run", action="store_true",
                        help="apply: print the profile instead of sending it")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 with a message on stderr when it fails."""
    args = _parser().parse_args(argv)
    config = from_environment()
    for name in ensure_secrets(config):
        print(f"note: {name} not set, using a generated development value", file=sys.stderr)
    api = ProfileApi.from_config(config)
    try:
        if args.command == "apply":
            _apply(api, config, args.dry_run)
        elif args.command == "show":
            print(json.dumps(api.get(), ensure_ascii=False, indent=2))
        else:
            api.delete()
            print(f"Messenger profile fields removed: {', '.join(FIELDS)}")
    except (ContentError, ProfileError, SendError) as exc:
        print(f"profile {args.command} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
