"""Name folding: one key for the spellings of a place or actor name.

News transliterates Arabic names many ways (Baquba, Baqubah, Ba'quba; al-Azim, Al Adhaim);
matching folds them to one key instead of listing every variant.
"""

from __future__ import annotations

import re

from unidecode import unidecode

_ARTICLE = re.compile(r"^(?:al|el|ad|an|ar|as|at|az|ash|ad-)[\s\-’']+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLED = re.compile(r"(.)\1+")


def fold(name: str) -> str:
    """Fold a name to a matching key: ASCII, lower case, no article, no doubled letters."""
    text = unidecode(name).lower().strip()
    text = _ARTICLE.sub("", text)
    text = _NON_ALNUM.sub("", text).replace("ou", "u")
    text = _DOUBLED.sub(r"\1", text)
    if len(text) > 4 and text.endswith("h"):
        text = text[:-1]
    return text
