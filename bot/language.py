"""Tell Khmer script, Khmer typed in Latin letters and English apart.

Used by the NLU tokenizer and by the web app (the answer language). No Rasa dependency.
The Latin-letter decision is lexical: romanised Khmer has many short function words
("khnhom", "bong", "te", "tver") that English does not, and English has stop words that
romanised Khmer does not. Code-mixed nouns (facebook, password) count for neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.khmer_text import KHMER_LETTERS

KHMER = "km"
KHMER_LATIN = "km-Latn"
ENGLISH = "en"
REPLY_LANGUAGES = (KHMER, ENGLISH)

_KHMER_LETTER = re.compile(f"[{KHMER_LETTERS}]")
_LATIN_WORD = re.compile(r"[a-z]+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")

# Distinctive romanised Khmer words, with the common spelling variants people type.
_KHMER_LATIN_WORDS = frozenset(
    """
    khnhom knhom knhum kjom khjom khnom knom nhom kyom bong bang bng oun aun pa mak
    yey ta pou ming neak nak neakna ke kee
    te tey de deh ot ort ott orte min mun minh ban baan bann hz hos hx haey hery hery
    tver tvee twer tveu tvo mec mes mech mnh mesh yangmec yg yang yangmech
    jg chong jong chg sour sur suor jouy juoy chuoy chouy juy juay phong pong
    trov trauv tro trouv kor ko kou kao dae dai der reu rue ru rw ery ey ei avey avei ai
    nis nih nas nuh noh na nii neng nung ning jea chea chia jaa knong knung
    luy loy lui luoy bat bath batt lous louy sorsay sorser kdey kdei tae tam pi mok tov
    tow tv mdech mdach bantech bontech bonteck sdam sdab kom kum kmean kman mean mien mian
    jol chol jul cheh jes ches yol yul srolanh nek nik
    orkun arkun akun okun orkoun sousdey susdey sursdey suosdei sousdei sous sua
    chumreap chom chum reap lea lir lear baat jas chas cha jah
    tt tort tus doch dauch dach khos kos tirk tuk pel pelnis mles mlis hei hoy huey
    sdeng srey kmeng somnour somnuor prab brab brap pronab phnheu phnher
    lok lork loak neaknaa keh rodaphibal rodthaphibal krosuong krasuong ponhea
    """.split()
)

# English words that romanised Khmer does not use.
_ENGLISH_WORDS = frozenset(
    """
    the a an is are was were be been am i my me mine you your yours he she it its we our they
    their them this that these those what which who whom whose how why when where there here
    do does did done to of in on at for from with about into by and or but if so not no yes
    can could would should will shall may might must have has had get got please pls thanks
    thank hello hi hey bye someone somebody anyone account lost money
    help want need know tell make made sent send gave give it's i'm don't can't im dont cant
    just now again still also very really some any all every one two after before
    """.split()
)


@dataclass(frozen=True)
class Detection:
    """The result of `detect`: a language code, or None when the text gives no clear sign."""

    language: str | None
    khmer_share: float = 0.0

    @property
    def reply_language(self) -> str | None:
        """The language to answer in: Khmer script for both Khmer forms."""
        if self.language is None:
            return None
        return ENGLISH if self.language == ENGLISH else KHMER


def detect(text: str) -> Detection:
    """Classify `text` as Khmer script, Latin-letter Khmer, English, or unclear (None)."""
    khmer = len(_KHMER_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if khmer + latin == 0:
        return Detection(None)
    share = khmer / (khmer + latin)
    if khmer and share >= 0.3:
        return Detection(KHMER, share)
    return Detection(_latin_language(text.lower()), share)


def _latin_language(text: str) -> str | None:
    words = _LATIN_WORD.findall(text)
    khmer_hits = sum(word in _KHMER_LATIN_WORDS for word in words)
    english_hits = sum(word in _ENGLISH_WORDS for word in words)
    if khmer_hits == 0 and english_hits == 0:
        return None
    return KHMER_LATIN if khmer_hits >= english_hits else ENGLISH
