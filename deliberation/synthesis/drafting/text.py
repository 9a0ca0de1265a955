"""French text normalised for similarity: lower-case, elisions split, stop words dropped, Snowball stems
without accents ("Jardins partagés" and "jardin partagé" give the same two terms)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from deliberation.core.text import _stemmer, strip_accents

# Words too common in French to tell two contributions apart, written without accents (they are compared
# after strip_accents). scikit-learn ships an English list only. Besides the usual function words, the words
# every contribution of a consultation uses ("quartier", "proposer", "faudrait", "mettre", "place"…) would make
# all of them look alike, so they are here too.
FRENCH_STOP_WORDS = frozenset("""
a ai aie aient aies ait alors as au aucun aucune aupres aussi autre autres aux avaient avais avait avant avec
avez aviez avions avoir avons ayant ayez ayons bon c ca car ce ceci cela celle celles celui cependant ces cet
cette ceux chaque chez ci comme comment d dans de des deja depuis devrait devraient doit doivent donc dont du
elle elles en encore entre es est et etaient etais etait etant ete etes etiez etions etre eu eue eues eurent
eus eut eux faire fait faut faudrait fois font il ils j je jusqu l la le les leur leurs lors lui m ma mais me
meme memes mes moi moins mon n ne ni nos notre nous on ont ou par parce pas peu peut peuvent plus pour pourquoi
pourrait pourraient qu quand que quel quelle quelles quels qui quoi s sa sans se sera serait seraient ses si
sien son sont sous souvent sur t ta tant te tes toi ton tous tout toute toutes tres trop tu un une unes uns
vos votre vous vers voici voila y va vont
afin ainsi alors apres avoir beaucoup bien cas chose choses deux donc egalement etc jour jours lieu mettre
mis mise moment nombre non oui parfois partout place plusieurs possible pourrait propose proposer proposition
propositions quartier quartiers rien tres vraiment
""".split())

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # letters only: digits and underscores separate words
MIN_WORD_LENGTH = 2


@lru_cache(maxsize=100_000)
def stem(word: str) -> str | None:
    """The accent-free Snowball stem of a lower-case word, None for a stop word or a too short one (cached:
    the pure-Python stemmer is the slow part, and a consultation's vocabulary is small next to its words)."""
    plain = strip_accents(word)
    if len(plain) < MIN_WORD_LENGTH or plain in FRENCH_STOP_WORDS:
        return None
    return strip_accents(_stemmer().stemWord(word))


def words(text: str | None) -> Iterator[tuple[str, str]]:
    """(stem, surface word) for each meaningful word: the stem is accent-free, the surface is lower-case."""
    if not text:
        return
    lowered = text.lower().replace("’", "'")
    for surface in _WORD.findall(lowered):
        stemmed = stem(surface)
        if stemmed is not None:
            yield stemmed, surface


def stems(text: str | None) -> list[str]:
    """The terms similarity works on (the analyzer of the TF-IDF vectoriser)."""
    return [stemmed for stemmed, _surface in words(text)]
