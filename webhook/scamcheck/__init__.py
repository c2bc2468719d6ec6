"""Scam check: what in a message, link, number or screenshot is a warning sign, and why.

No Rasa and no Flask inside: `checker.Checker` checks a text (signs.py: words in English, Khmer
and Latin-letter Khmer; links.py and domains.py: links; phones.py: numbers; alerts.py: the
staff's known scam alerts; verdict.py: strong, some or none, never "safe"); explain.py words the
answer from the content store; ocr.py reads screenshots with Tesseract.
Try it: `echo "send me the OTP code" | python -m webhook.scamcheck`.
"""
