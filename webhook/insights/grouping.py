"""Group similar messages: TF-IDF over character n-grams, then greedy grouping by cosine.

Character n-grams (2 to 4, within word boundaries) work for English, romanised Khmer and
Khmer script alike: Khmer has no spaces between words, so a word-based vectoriser would see
each sentence as one word, while its character n-grams still overlap when two messages share
words. Texts are normalised first (Khmer reordering, invisible characters, digits, case,
punctuation and emoji dropped) so spelling noise does not split a group.

Grouping is greedy and deterministic: messages are taken oldest first; each joins the group
whose centroid is most similar if that similarity reaches THRESHOLD, else starts a new group.
With a few thousand messages this takes well under a second.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.khmer_text import normalise_for_understanding

THRESHOLD = 0.45
NGRAMS = (2, 4)
_SPACES = re.compile(r"\s+")


@dataclass
class Group:
    """Indexes into the grouped texts, the first being the group's founding message."""

    members: list[int]


def normalise(text: str) -> str:
    """The form messages are compared in: two texts equal here count as the same example."""
    text = normalise_for_understanding(text).casefold()
    text = "".join(" " if unicodedata.category(char)[0] in "PSZC" else char for char in text)
    return _SPACES.sub(" ", text).strip()


def group_texts(texts: Sequence[str], threshold: float = THRESHOLD) -> list[Group]:
    """Groups of similar texts, largest first (ties: the group founded earliest first)."""
    if not texts:
        return []
    vectors = _vectors([normalise(text) for text in texts])
    similarity = (vectors @ vectors.T).toarray()
    group_of = np.zeros(len(texts), dtype=int)
    squared_norms: list[float] = []  # of each group's sum of vectors
    groups: list[Group] = []
    for index in range(len(texts)):
        # dot product of this vector with each group's sum: its similarity to every member
        dots = np.bincount(group_of[:index], weights=similarity[index, :index],
                           minlength=len(groups))
        cosines = dots / np.sqrt(np.maximum(squared_norms, 1e-12)) if groups else dots
        best = int(np.argmax(cosines)) if groups else -1
        if best >= 0 and cosines[best] >= threshold:
            groups[best].members.append(index)
            squared_norms[best] += 2 * dots[best] + similarity[index, index]
        else:
            best = len(groups)
            groups.append(Group([index]))
            squared_norms.append(similarity[index, index])
        group_of[index] = best
    return sorted(groups, key=lambda group: -len(group.members))


def _vectors(normalised: list[str]):  # noqa: ANN202 - a scipy sparse matrix
    from sklearn.feature_extraction.text import TfidfVectorizer  # slow import: only when used

    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True,
                                 lowercase=False)
    try:
        return vectoriser.fit_transform(normalised)
    except ValueError:  # nothing but empty texts: every one its own vector of zeros
        from scipy.sparse import csr_matrix

        return csr_matrix((len(normalised), 1))
