"""Campaign refs: staff's map, daily counts without user ids, starting points, m.me and QR."""

import io
from xml.etree import ElementTree

import pytest
from PIL import Image

from webhook import keys
from webhook.referrals import qr
from webhook.referrals.start import GREETING, opening
from webhook.referrals.store import InvalidStart, Referrals, Start, check

ANSWERS = {"utter_scam_check", "utter_greet"}
GUIDES = {"guide_hacked_account"}


class Content:
    def reply(self, name, language):
        return {"text": f"{name}:{language}"}


@pytest.mark.parametrize(("start", "field"), [
    (Start("has space", "answer", "utter_scam_check"), "ref"),
    (Start("x" * 65, "answer", "utter_scam_check"), "ref"),
    (Start("poster-1", "answer", "utter_nope"), "answer"),
    (Start("poster-1", "guide", "guide_nope"), "guide"),
    (Start("poster-1", "language"), "language"),
    (Start("poster-1", "answer", "utter_scam_check", language="fr"), "language"),
    (Start("poster-1", "teleport"), "kind"),
])
def test_bad_starting_points_are_refused_with_the_field(start, field):
    with pytest.raises(InvalidStart, match=f"^{field}"):
        check(start, ANSWERS, GUIDES)


def test_map_and_daily_counts_hold_no_user_id(redis_db):
    refs = Referrals(redis_db)
    refs.save(check(Start("scam-check", "answer", "utter_scam_check", "km", "commune poster"),
                    ANSWERS, GUIDES))
    assert refs.get("scam-check") == Start("scam-check", "answer", "utter_scam_check", "km",
                                           "commune poster")
    assert refs.get("nope") is None and refs.get("") is None
    day = 1764460800.0
    for ref in ("scam-check", "scam-check", "made-up", ""):
        refs.count(ref, now=day)
    [key] = redis_db.keys(keys.referral_counts("*"))
    assert redis_db.hgetall(key) == {b"scam-check": b"2", b"(unknown)": b"2"}
    assert redis_db.ttl(key) > 300 * 86400
    assert refs.delete("scam-check") and not refs.delete("scam-check")


def test_openings():
    content = Content()
    assert opening(None, "km", content).payload == GREETING
    assert opening(Start("a", "answer", "utter_scam_check"), "en", content).answer == [
        {"text": "utter_scam_check:en"}, {"custom": {"response": "utter_scam_check"}}]
    assert opening(Start("a", "language", language="en"), "en", content).answer == [
        {"text": "utter_greet:en"}]
    assert opening(Start("a", "guide", "guide_hacked_account"), "km", content).guide == \
        ("hacked_account", "guide_hacked_account")


def test_mme_link_and_qr_codes_carry_the_ref():
    link = qr.mme_link("Digital Rights Helpline", "scam-check")
    assert link == "https://m.me/Digital%20Rights%20Helpline?ref=scam-check"
    image = Image.open(io.BytesIO(qr.png(link, "ជំនួយសិទ្ធិឌីជីថល · Helpline")))
    assert image.format == "PNG" and image.height > image.width * 0.9
    svg = ElementTree.fromstring(qr.svg(link, "Helpline"))
    texts = [el.text for el in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["Helpline"]
