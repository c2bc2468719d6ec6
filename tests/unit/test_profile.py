"""The Messenger Profile: its body, its limits, and apply/show/delete against the stand-in."""

import json
import re

import pytest

from bot.project import RESPONSES, intents
from webhook.content.loader import load_settings
from webhook.content.model import Settings
from webhook.messenger.profile import (
    FIELDS,
    GREETING_MAX,
    ProfileApi,
    ProfileError,
    build_profile,
    main,
    profile_problems,
)
from webhook.messenger.send_api import PermanentSendError
from webhook.messenger.signature import appsecret_proof
from webhook.scamcheck.conversation import CHECK_MESSAGE
from webhook.simulator.graph_standin import GraphStandIn

TOKEN = "page-token-for-profile-tests"
SECRET = "app-secret-for-profile-tests"
VERSION = "v21.0"
KHMER = re.compile("[\u1780-\u17ff]")


@pytest.fixture
def graph():
    with GraphStandIn(app_secret=SECRET) as standin:
        yield standin


@pytest.fixture
def env(graph, monkeypatch):
    """The CLI's configuration points at the stand-in (the real environment wins over .env)."""
    for name, value in {"GRAPH_API_URL": graph.url, "GRAPH_API_VERSION": VERSION,
                        "FB_PAGE_ACCESS_TOKEN": TOKEN, "FB_APP_SECRET": SECRET,
                        "FB_VERIFY_TOKEN": "verify", "RESPONSES_DIR": str(RESPONSES)}.items():
        monkeypatch.setenv(name, value)
    return graph


def settings_with(en, km):
    return Settings(default_language="km", values={"org_name": {"en": en, "km": km}})


def by_locale(entries):
    return {entry["locale"]: entry for entry in entries}


# -- the body ------------------------------------------------------------------------------

def test_profile_from_the_real_settings_fits_messengers_limits():
    profile = build_profile(load_settings(RESPONSES))
    assert list(profile) == list(FIELDS)
    assert profile["get_started"] == {"payload": "GET_STARTED"}
    assert profile_problems(profile) == []
    greeting = by_locale(profile["greeting"])
    assert set(greeting) == {"default", "km_KH"}
    default, khmer = greeting["default"]["text"], greeting["km_KH"]["text"]
    assert "the digital rights helpline" in default and KHMER.search(default)  # bilingual
    assert not re.search("[A-Za-z]", khmer) and KHMER.search(khmer)
    assert all(len(g["text"]) <= GREETING_MAX for g in profile["greeting"])


def test_menus_and_ice_breakers_are_localised_and_lead_to_known_intents():
    profile = build_profile(load_settings(RESPONSES))
    menus = by_locale(profile["persistent_menu"])
    breakers = by_locale(profile["ice_breakers"])
    assert set(menus) == set(breakers) == {"default", "km_KH"}
    for menu in menus.values():
        assert menu["composer_input_disabled"] is False
        assert len(menu["call_to_actions"]) <= 3
        assert all(len(item["title"]) <= 30 and item["type"] == "postback"
                   for item in menu["call_to_actions"])
    assert all(len(b["call_to_actions"]) <= 4 for b in breakers.values())
    assert KHMER.search(menus["km_KH"]["call_to_actions"][0]["title"])
    known = intents()
    payloads = [item["payload"] for entry in [*menus.values(), *breakers.values()]
                for item in entry["call_to_actions"]]
    assert {p.lstrip("/").split("{")[0] for p in payloads} <= known  # /scam_check{"check": …}
    assert {CHECK_MESSAGE, "/request_human", "/change_language"} <= set(payloads)


def test_a_long_organisation_name_falls_back_to_the_short_greeting():
    profile = build_profile(settings_with("the " + "very " * 14 + "long helpline", "ជំនួយ"))
    default = by_locale(profile["greeting"])["default"]["text"]
    assert len(default) <= GREETING_MAX and default.startswith("Welcome to the very")


def test_a_greeting_over_160_characters_is_refused_before_sending():
    with pytest.raises(ProfileError, match="160"):
        build_profile(settings_with("x" * 150, "ជំនួយ"))


def test_an_empty_organisation_name_is_refused():
    with pytest.raises(ProfileError, match="org_name"):
        build_profile(settings_with("helpline", ""))


def test_profile_problems_name_each_broken_limit():
    profile = build_profile(load_settings(RESPONSES))
    menu = profile["persistent_menu"][0]["call_to_actions"]
    menu[0]["title"] = "t" * 31
    menu.append(dict(menu[1]))
    profile["ice_breakers"][1]["call_to_actions"] *= 2
    profile["greeting"] = [{"locale": "km_KH", "text": "x" * 161}]
    problems = "\n".join(profile_problems(profile))
    for expected in ("greeting: a 'default' locale is required",
                     "greeting (km_KH): 161 characters, at most 160",
                     "persistent_menu (default) title: 31 characters, at most 30",
                     "persistent_menu (default): 4 items, at most 3",
                     "ice_breakers (km_KH): 8 items, at most 4"):
        assert expected in problems


# -- against the stand-in ------------------------------------------------------------------

def test_apply_show_delete_round_trip(env, capsys):
    assert main(["apply"]) == 0
    calls = env.requests_for(path_contains="messenger_profile")
    assert len(calls) == 1  # everything in ONE call: the API allows 10 per 10 minutes
    assert calls[0]["method"] == "POST" and calls[0]["proof_valid"] is True
    assert set(env.profile()) == set(FIELDS)
    capsys.readouterr()

    assert main(["show"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown == build_profile(load_settings(RESPONSES))
    show_call = env.requests_for(path_contains="messenger_profile")[-1]
    assert show_call["args"]["fields"] == ",".join(FIELDS)

    assert main(["delete"]) == 0
    assert env.profile() == {}
    assert env.requests_for(path_contains="messenger_profile")[-1]["json"] == {
        "fields": list(FIELDS)}
    capsys.readouterr()
    assert main(["show"]) == 0
    assert json.loads(capsys.readouterr().out) == {}


def test_dry_run_sends_nothing(env, capsys):
    assert main(["apply", "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["get_started"] == {"payload": "GET_STARTED"}
    assert env.requests_for() == []


def test_a_graph_error_fails_clearly_without_the_token(env, capsys):
    env.add_fault(613, times=5)
    assert main(["apply"]) == 1
    err = capsys.readouterr().err
    assert "profile apply failed" in err and "code=613" in err
    assert TOKEN not in err and appsecret_proof(TOKEN, SECRET) not in err
    assert len(env.requests_for()) == 1  # the rate limit is not spent on retries


def test_the_stand_in_refuses_what_graph_refuses(graph):
    api = ProfileApi(graph.url, VERSION, TOKEN, SECRET)
    with pytest.raises(PermanentSendError) as long_greeting:
        api.set({"greeting": [{"locale": "default", "text": "x" * 161}]})
    with pytest.raises(PermanentSendError) as menu_alone:
        api.set({"persistent_menu": [{"locale": "default", "call_to_actions": []}]})
    with pytest.raises(PermanentSendError) as no_fields:
        api.get(fields=())
    assert long_greeting.value.code == menu_alone.value.code == no_fields.value.code == 100
    assert graph.profile() == {}
