"""Guided steps: the tree model, the checks that refuse a broken tree, and the walker."""

from dataclasses import replace

import pytest

from bot.project import RESPONSES, intents
from webhook import keys
from webhook.content.loader import FolderContent, load_folder
from webhook.content.model import Choice
from webhook.content.validate import validate
from webhook.conversations.state import Conversations
from webhook.guides.check import guide_problems
from webhook.guides.position import DAY_SECONDS, Positions
from webhook.guides.summary import case_summary
from webhook.guides.tree import make_payload, parse_payload, trees
from webhook.guides.walker import SUMMARY_FIELD, Walker
from webhook.privacy.erase import erase_user

TREES = {"hacked_account", "scam_money", "harassment", "gov_service"}
PSID = "psid-guide-1"


@pytest.fixture(scope="module")
def content():
    return load_folder(RESPONSES)


@pytest.fixture
def walker(redis_db):
    return Walker(FolderContent(RESPONSES), Positions(redis_db, 30 * DAY_SECONDS),
                  Conversations(redis_db, 30 * DAY_SECONDS))


def _with(responses, name, language="en", **changes):
    """The answers with one language of one answer changed."""
    response = responses[name]
    version = replace(response.versions[language], **changes)
    return {**responses, name: replace(response, versions={**response.versions,
                                                           language: version})}


def _messages(problems):
    return [f"{problem.where}: {problem.message}" for problem in problems]


# --- the model -------------------------------------------------------------------------

def test_the_four_trees_are_found_with_their_first_steps(content):
    found = trees(content.responses)
    assert set(found) >= TREES
    for tree in found.values():
        assert tree.start in tree.steps
        assert len(tree.steps) >= 4


def test_payloads_carry_the_step_and_read_back():
    payload = make_payload(at="guide_harassment", to="guide_harassment_danger")
    assert parse_payload(payload) == {"at": "guide_harassment", "to": "guide_harassment_danger"}
    assert parse_payload("/help") is None
    assert parse_payload("/guide{not json") is None


def test_english_and_khmer_steps_lead_to_the_same_places(content):
    for tree in trees(content.responses).values():
        for step in tree.steps.values():
            assert [o.target for o in step.options("en")] == \
                [o.target for o in step.options("km")], step.name


# --- the checks ------------------------------------------------------------------------

def test_the_published_trees_have_no_problems(content):
    assert _messages(guide_problems(content.responses)) == []


def test_a_dead_end_is_refused(content):
    broken = _with(content.responses, "guide_harassment_danger", quick_replies=())
    assert any("dead end" in m for m in _messages(guide_problems(broken)))


def test_an_unreachable_step_is_refused(content):
    # the only way to "threats" goes; the step stays behind, unreachable
    what = content.responses["guide_harassment_what"]
    keep = tuple(c for c in what.versions["en"].quick_replies if "threats" not in c.payload)
    broken = _with(content.responses, "guide_harassment_what", quick_replies=keep)
    keep_km = tuple(c for c in what.versions["km"].quick_replies if "threats" not in c.payload)
    broken = _with(broken, "guide_harassment_what", "km", quick_replies=keep_km)
    found = _messages(guide_problems(broken))
    assert any("guide_harassment_threats" in m and "unreachable" in m for m in found), found


def test_a_missing_language_is_refused(content):
    step = content.responses["guide_scam_money_id"]
    broken = {**content.responses, step.name: replace(step, versions={"en": step.versions["en"]})}
    assert any("guide_scam_money_id.km" in m and "missing" in m
               for m in _messages(guide_problems(broken)))


def test_languages_leading_to_different_steps_are_refused(content):
    step = content.responses["guide_harassment_is_child"].versions["km"]
    swapped = (step.quick_replies[1], step.quick_replies[0], *step.quick_replies[2:])
    broken = _with(content.responses, "guide_harassment_is_child", "km", quick_replies=swapped)
    assert any("same steps" in m for m in _messages(guide_problems(broken)))


def test_a_quick_reply_to_no_step_is_refused(content):
    qr = (Choice("Lost", payload=make_payload(to="guide_harassment_nowhere")),)
    broken = _with(content.responses, "guide_harassment_danger", quick_replies=qr)
    assert any("leads to no step" in m for m in _messages(guide_problems(broken)))


def test_too_many_quick_replies_with_the_controls_are_refused(content):
    many = tuple(Choice(f"Option {n}", payload=make_payload(to="person")) for n in range(12))
    broken = _with(content.responses, "guide_harassment_danger", quick_replies=many)
    assert any("Back and Main menu are added" in m for m in _messages(guide_problems(broken)))


def test_a_list_of_more_than_five_points_is_refused(content):
    bubble = "\n".join(f"{n}. Point {n}" for n in range(1, 7))
    broken = _with(content.responses, "guide_harassment_danger", bubbles=(bubble,))
    assert any("at most 5 points" in m for m in _messages(guide_problems(broken)))


def test_a_tree_with_no_way_to_a_person_is_refused(content):
    broken = dict(content.responses)
    for name, response in content.responses.items():
        if response.topic == "guide_gov_service":
            versions = {lang: replace(v, quick_replies=tuple(
                c for c in v.quick_replies if "person" not in str(c.payload)))
                for lang, v in response.versions.items()}
            broken[name] = replace(response, versions=versions)
    assert any("no step offers a person" in m for m in _messages(guide_problems(broken)))


def test_a_command_or_entry_naming_no_tree_is_refused(content):
    hacked = content.responses["utter_account_hacked"]
    broken = {**content.responses, hacked.name: replace(
        hacked, command={"name": "guide", "tree": "nothing_here"})}
    broken = _with(broken, "utter_gov_services_rights", quick_replies=(
        Choice("Go", payload=make_payload(to="guide_gone")),))
    found = _messages(guide_problems(broken))
    assert any("'nothing_here'" in m for m in found)
    assert any("utter_gov_services_rights.en.quick_replies[0]" in m for m in found)


def test_content_check_and_import_see_tree_problems(content):
    broken = _with(content.responses, "guide_harassment_danger", quick_replies=())
    assert any("dead end" in str(p) for p in validate(broken, content.settings, intents()))


# --- the walker --------------------------------------------------------------------------

def _start(walker, name="utter_account_hacked", language="en"):
    opener = walker.content.reply(name, language)
    return walker.after_rasa(PSID, [opener], language, typed=True)


def _tap(walker, reply, title, language="en"):
    button = next(b for b in reply["buttons"] if b["title"] == title)
    event = {"psid": PSID, "kind": "quick_reply", "payload": button["payload"], "text": title}
    return walker.before_rasa(event, language)


def _titles(reply):
    return [button["title"] for button in reply.get("buttons", [])]


def test_an_answer_with_the_guide_command_starts_its_tree(walker):
    replies = _start(walker)
    assert "custom" not in replies[0]  # the command is carried out here, not by the worker
    first = replies[-1]
    assert "Can you still log in" in first["text"]
    assert _titles(first) == ["Yes, I can", "No, I can't", "Talk to a person", "Main menu"]
    assert parse_payload(first["buttons"][0]["payload"]) == {
        "at": "guide_hacked_account", "to": "guide_hacked_account_still_in"}
    assert walker.positions.get(PSID).path == ["guide_hacked_account"]


def test_a_finer_topic_can_start_at_its_own_step_and_go_back_to_the_first(walker, content):
    sextortion = {"text": "I'm sorry.", "custom": {"command": "guide", "tree": "harassment",
                                                   "step": "guide_harassment_images"}}
    step = walker.after_rasa(PSID, [sextortion], "en", typed=True)[-1]
    assert "StopNCII" in step["text"] and "Back" in _titles(step)
    assert "in danger right now" in _tap(walker, step, "Back")[0]["text"]
    wrong = replace(content.responses["utter_online_harassment"],
                    command={"name": "guide", "tree": "harassment", "step": "guide_nowhere"})
    found = _messages(guide_problems({**content.responses, wrong.name: wrong}))
    assert any("'guide_nowhere', which is no step of harassment" in m for m in found)


def test_taps_walk_to_the_steps_and_back_returns_one_step(walker):
    first = _start(walker)[-1]
    question = _tap(walker, first, "No, I can't")[0]
    assert "change the email and the phone" in question["text"]
    assert _titles(question)[-2:] == ["Back", "Main menu"]
    steps = _tap(walker, question, "Yes, both")[0]
    assert "video selfie" in steps["text"]
    back = _tap(walker, steps, "Back")[0]
    assert back["text"] == question["text"]
    assert walker.positions.get(PSID).path == ["guide_hacked_account",
                                               "guide_hacked_account_locked_out"]


def test_typing_an_option_works_like_tapping_it(walker):
    _start(walker)
    event = {"psid": PSID, "kind": "text", "text": "no, I CAN'T"}
    assert "change the email" in walker.before_rasa(event, "en")[0]["text"]


def test_a_typed_yes_or_no_picks_the_one_option_it_starts(walker):
    _start(walker, "utter_online_harassment", "km")
    event = {"psid": PSID, "kind": "text", "text": "ចាស"}
    assert "សុវត្ថិភាព" in walker.before_rasa(event, "km")[0]["text"]  # "yes, in danger"
    walker.positions.clear(PSID)
    _start(walker)
    # "no" starts one option here; a longer sentence is left to Rasa
    assert walker.before_rasa({"psid": PSID, "kind": "text", "text": "No"}, "en") is not None
    assert walker.before_rasa({"psid": PSID, "kind": "text", "text": "no idea what to do"},
                              "en") is None


def test_a_typed_message_about_something_else_is_answered_then_continuing_is_offered(walker):
    _start(walker)
    assert walker.before_rasa({"psid": PSID, "kind": "text", "text": "what is 2fa"}, "en") is None
    other = {"text": "Two-step verification is a second lock."}
    replies = walker.after_rasa(PSID, [other], "en", typed=True)
    assert replies[0] == other
    offer = replies[-1]
    assert _titles(offer) == ["Continue the steps", "Main menu"]
    again = _tap(walker, offer, "Continue the steps")[0]
    assert "Can you still log in" in again["text"]


def test_main_menu_leaves_the_tree(walker):
    first = _start(walker)[-1]
    assert next(b for b in first["buttons"] if b["title"] == "Main menu")["payload"] == "/help"
    walker.after_rasa(PSID, [{"text": "menu"}], "en", typed=False)  # Rasa answered /help
    assert walker.positions.get(PSID) is None


def test_a_person_gets_the_case_summary_in_both_languages(walker, redis_db):
    first = _start(walker, "utter_online_harassment", "km")[-1]
    step = _tap(walker, first, "ទេ", "km")[0]                 # not in danger now
    step = _tap(walker, step, "បាទ/ចាស", "km")[0]             # a child is involved
    assert "{child_helpline}" not in step["text"] and "1280" in step["text"]
    handoff = _tap(walker, step, "និយាយជាមួយមនុស្ស", "km")[0]
    assert handoff["custom"] == {"command": "handoff", "reason": "guide_harassment"}
    assert walker.positions.get(PSID) is None
    stored = Conversations(redis_db, 60).get(PSID)[SUMMARY_FIELD]
    summary = case_summary(stored, walker.content.responses())
    assert summary.topic == "Harassment" and summary.languages == ["en", "km"]
    assert [line.answer["en"] for line in summary.lines] == ["No", "Yes", "Talk to a person"]
    assert [line.answer["km"] for line in summary.lines] == ["ទេ", "បាទ/ចាស", "និយាយជាមួយមនុស្ស"]
    assert "in danger right now" in summary.lines[0].question["en"]
    assert "កុមារ" in summary.lines[1].question["km"]


def test_a_tap_on_a_removed_step_shows_the_menu(walker):
    event = {"psid": PSID, "kind": "quick_reply", "text": "Old",
             "payload": make_payload(at="guide_gone", to="guide_gone_too")}
    reply = walker.before_rasa(event, "en")[0]
    assert reply["text"] == walker.content.reply("utter_menu", "en")["text"]


def test_an_entry_quick_reply_starts_a_tree_without_a_position(walker):
    event = {"psid": PSID, "kind": "quick_reply", "text": "I have a problem",
             "payload": make_payload(to="guide_gov_service")}
    reply = walker.before_rasa(event, "en")[0]
    assert "government online service" in reply["text"]
    assert "Back" not in _titles(reply)


def test_the_position_expires_within_a_day_and_is_erased_with_the_user(walker, redis_db):
    _start(walker)
    assert 0 < redis_db.ttl(keys.guide_position(PSID)) <= DAY_SECONDS
    assert Positions(redis_db, 3600).ttl == 3600  # never longer than the retention
    erase_user(redis_db, PSID, actor="user")
    assert not redis_db.exists(keys.guide_position(PSID))

