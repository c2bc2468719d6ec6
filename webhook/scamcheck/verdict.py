"""From the signs found to a verdict: strong, some or none. Never "safe".

Each sign weighs 1 to 3. A sign that on its own means a scam (asking for a code, a fee first,
an installer, a lookalike link, a QR code "to receive", renting an account, a fake proof of
payment, a remote-control app) weighs 3; context signs weigh less and add up.
"""

from __future__ import annotations

from webhook.scamcheck.signs import Sign

STRONG, SOME, NONE = "strong", "some", "none"
VERDICTS = (STRONG, SOME, NONE)
STRONG_AT = 3

WEIGHTS = {
    "otp_request": 3, "upfront_fee": 3, "apk_file": 3, "remote_access_app": 3,
    "lookalike_domain": 3, "qr_to_receive": 3, "account_rental": 3, "fake_payment_proof": 3,
    "sextortion": 3,
    "prize": 2, "investment_returns": 2, "impersonation_police": 2, "impersonation_facebook": 2,
    "job_offer": 2, "suspicious_link": 2, "romance": 2, "loan": 1,
    "money_request": 1, "urgency_threat": 1, "impersonation_bank": 1,
    "impersonation_government": 1, "move_to_private_chat": 1, "shortened_link": 1,
    "foreign_number": 1, "secrecy": 1,
}
# Shown first: the signs that say most.
ORDER = sorted(WEIGHTS, key=lambda code: -WEIGHTS[code])
# Signs that an official link in the same message makes ordinary (a real bank or ministry
# notice names itself and links to its own site).
VOUCHED_BY_OFFICIAL_LINK = {"impersonation_bank", "impersonation_government", "urgency_threat"}


def decide(signs: list[Sign], matched_alert: bool = False) -> str:
    """The verdict for these signs; a match with a known scam alert is strong."""
    score = sum(WEIGHTS.get(sign.code, 1) for sign in signs)
    if matched_alert or score >= STRONG_AT:
        return STRONG
    return SOME if score else NONE


def ranked(signs: list[Sign]) -> list[Sign]:
    """The signs, heaviest first (stable among equals)."""
    return sorted(signs, key=lambda sign: ORDER.index(sign.code) if sign.code in WEIGHTS
                  else len(ORDER))


def without_vouched(signs: list[Sign], has_official_link: bool,
                    has_suspicious_link: bool) -> list[Sign]:
    """Drop the signs an official link explains, unless another link is suspicious."""
    if not has_official_link or has_suspicious_link:
        return signs
    return [sign for sign in signs if sign.code not in VOUCHED_BY_OFFICIAL_LINK]
