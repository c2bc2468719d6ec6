"""Rasa's answer rendered into Messenger messages within Messenger's limits."""

from webhook.pipeline.render import fit_title, render, split_text


def test_bubbles_become_messages_and_quick_replies_go_on_the_last():
    rendered = render([{"text": "One\n\nTwo", "buttons": [
        {"title": "Menu", "payload": "/help", "type": "quick_reply"}]}])
    assert rendered.messages == [
        {"text": "One"},
        {"text": "Two", "quick_replies": [
            {"content_type": "text", "title": "Menu", "payload": "/help"}]},
    ]


def test_at_most_13_quick_replies():
    buttons = [{"title": f"q{i}", "payload": "/help", "type": "quick_reply"} for i in range(20)]
    [message] = render([{"text": "pick", "buttons": buttons}]).messages
    assert len(message["quick_replies"]) == 13


def test_buttons_become_a_button_template_and_extra_postbacks_become_quick_replies():
    buttons = [{"title": f"b{i}", "payload": f"/p{i}", "type": "postback"} for i in range(4)]
    buttons.append({"title": "Police", "url": "https://police.example", "type": "web_url"})
    [message] = render([{"text": "Choose", "buttons": buttons}]).messages
    template = message["attachment"]["payload"]
    assert template["template_type"] == "button" and template["text"] == "Choose"
    assert [b["title"] for b in template["buttons"]] == ["b0", "b1", "b2"]
    assert [q["payload"] for q in message["quick_replies"]] == ["/p3"]


def test_long_text_is_split_at_sentence_ends_under_2000():
    sentence = "This is one sentence about staying safe online. "
    text = sentence * 100
    parts = split_text(text.strip())
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == text.strip()


def test_short_text_keeps_its_line_breaks():
    assert split_text("Steps:\n1. Stop.\n2. Check.") == ["Steps:\n1. Stop.\n2. Check."]


def test_khmer_text_splits_at_khan():
    text = ("ខ្ញុំសុខសប្បាយ។ " * 300).strip()
    parts = split_text(text)
    assert all(len(p) <= 2000 for p in parts) and all(p.endswith("។") for p in parts)


def test_a_text_without_sentence_ends_is_still_cut_under_the_limit():
    assert all(len(p) <= 2000 for p in split_text("x" * 4500))


def test_titles_are_cut_to_20_code_points_never_inside_a_khmer_syllable():
    title = "ផ្ទៀងផ្ទាត់ពីរជំហានឥឡូវនេះ"
    fitted = fit_title(title)
    assert len(fitted) <= 20 and fitted.endswith("…")
    kept = fitted[:-1]
    assert title.startswith(kept)
    following = title[len(kept)]
    assert not kept.endswith("\u17d2"), "cut after a subscript sign"
    assert not "\u17b6" <= following <= "\u17d3", "cut before a vowel sign of the syllable"
    assert fit_title("Short") == "Short"


def test_images_and_commands():
    rendered = render([{"text": "Look", "image": "https://x.example/a.png"},
                       {"custom": {"command": "handoff", "reason": "scam_victim"}}])
    assert rendered.messages[1]["attachment"]["type"] == "image"
    assert rendered.commands == [{"command": "handoff", "reason": "scam_victim"}]
