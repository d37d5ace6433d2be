"""Near-duplicate articles: MinHash signatures of word shingles, LSH band keys to find them.

A syndicated wire copy or a repost shares almost all of its five-word shingles with the
article already stored, however the page around it differs; two outlets' own reports of the
same attack share almost none, because they word it differently. So the estimated Jaccard
similarity of the shingle sets tells "same article" from "same event".

MinHash is written here on numpy rather than taken from datasketch: it is forty lines,
datasketch would bring scipy along for LSH tuning we do not need, and owning every step
(normalisation, shingle hash, permutations) is what keeps a signature stored today comparable
with one computed on another machine next year. Nothing uses Python's `hash()` or a numpy
random generator: shingles are hashed with BLAKE2b and the hash-function constants are BLAKE2b
digests of fixed strings. Change any step and bump SIGNATURE_VERSION.

Limit: a wire update that only changes a figure ("killing six" for "killing four") keeps
over 90 % of its shingles, so it is a near duplicate of the first version; telling updates
apart needs the extracted figures, not the text. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np
import numpy.typing as npt

Signature = tuple[int, ...]

SIGNATURE_VERSION = 1  # bump when signatures or band keys change; stored ones are then stale
SHINGLE_WORDS = 5  # words per shingle: long enough that shared shingles mean shared sentences
NUM_PERM = 128  # hash functions per signature; Jaccard estimate has std <= 0.045 (sqrt(.25/128))
# LSH: 32 bands of 4 rows (all 128 values). A pair with Jaccard J shares a band with
# probability 1 - (1 - J**4)**32: 0.99985 at J = 0.7, > 0.999999 at 0.8, but 0.23 at 0.3,
# 0.05 at 0.2 and 0.003 at 0.1 (two reports of one event score about 0.05). Fewer, longer bands
# (25 x 5) would miss 1 % of pairs at 0.7; the few extra candidates cost one signature compare each.
BANDS = 32  # band keys per article
ROWS = 4  # signature values per band
# Estimated Jaccard at or above which two texts are one article. Measured on the test
# texts (a 240-word report): a repost with another headline, furniture lines and one more
# paragraph has J = 0.78, a copy without its last of six paragraphs 0.83, another outlet's
# report of the same attack 0.003. At 0.8 an estimate (std 0.037 there) would turn away
# about half the reposts like the first; 0.7 still leaves a wide gap above rewrites.
DUPLICATE_THRESHOLD = 0.7
EMPTY = 0xFFFFFFFF  # signature value of a text without words: never a duplicate of anything

_WORD = re.compile(r"[^\W_]+")  # runs of letters or digits; punctuation and spacing fall away
_THOUSANDS = re.compile(r"(?<=\d)[,.\u00a0\u202f'](?=\d{3}(?!\d))")  # "1,200" -> "1200"
_LSH_PERSON = f"incidex-lsh-v{SIGNATURE_VERSION}".encode()  # BLAKE2b personalisation, <= 16 bytes


def _constants(name: str) -> npt.NDArray[np.uint64]:
    """NUM_PERM 64-bit constants, BLAKE2b digests of fixed strings: the same everywhere."""
    digests = [
        hashlib.blake2b(f"incidex-minhash-{name}-{i}".encode(), digest_size=8).digest()
        for i in range(NUM_PERM)
    ]
    return np.frombuffer(b"".join(digests), dtype="<u8").astype(np.uint64)


_MULTIPLIERS = _constants("a") | np.uint64(1)  # odd, so x -> a * x + b permutes 64-bit values
_OFFSETS = _constants("b")


def _words(text: str) -> list[str]:
    """Lower-case words and numbers of `text`, so reformatting, quotes and case do not count."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(_THOUSANDS.sub("", text))


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word `size`-grams of the normalised text; a shorter text is one shingle, an empty none.

    Numbers are kept as words, since figures are what set two reports apart.
    """
    tokens = _words(text)
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def _shingle_hashes(items: set[str]) -> npt.NDArray[np.uint64]:
    """A 64-bit BLAKE2b hash per shingle, as an array."""
    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in items)
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


def signature(text: str) -> Signature:
    """MinHash of the text's shingles: NUM_PERM 32-bit values, identical on every machine.

    Value i is the top 32 bits of the least a_i * h + b_i (mod 2**64, as numpy uint64
    arrays wrap) over the shingle hashes h: a multiply-shift hash family, enough here
    because BLAKE2b already spreads h evenly (on 300 test pairs the error matched the
    theoretical sqrt(J(1 - J) / 128)). Shifting after the minimum keeps order, so it is exact.
    """
    hashes = _shingle_hashes(shingles(text))
    if hashes.size == 0:
        return (EMPTY,) * NUM_PERM
    permuted = hashes[:, np.newaxis] * _MULTIPLIERS[np.newaxis, :] + _OFFSETS[np.newaxis, :]
    return tuple((permuted.min(axis=0) >> np.uint64(32)).tolist())


def _is_empty(sig: Signature) -> bool:
    """True for the signature of a text without words."""
    return all(value == EMPTY for value in sig)


def similarity(sig_a: Signature, sig_b: Signature) -> float:
    """Estimated Jaccard similarity of two texts' shingle sets, 0.0 when either has no words."""
    if len(sig_a) != len(sig_b):
        raise ValueError(f"signatures differ in length: {len(sig_a)} and {len(sig_b)}")
    if not sig_a or _is_empty(sig_a) or _is_empty(sig_b):
        return 0.0
    return sum(a == b for a, b in zip(sig_a, sig_b, strict=True)) / len(sig_a)


def is_near_duplicate(sig_a: Signature, sig_b: Signature) -> bool:
    """True when two signatures are of one article: a copy, a repost, a trimmed version."""
    return similarity(sig_a, sig_b) >= DUPLICATE_THRESHOLD


def band_keys(sig: Signature) -> list[str]:
    """LSH keys 'band:digest'; texts sharing any key are candidates to confirm with similarity.

    A text without words has no keys, so it is never a candidate. The digest covers
    SIGNATURE_VERSION, so keys of an older scheme never match new ones.
    """
    if len(sig) != BANDS * ROWS:
        raise ValueError(f"signature has {len(sig)} values, expected {BANDS * ROWS}")
    if _is_empty(sig):
        return []
    keys = []
    for band in range(BANDS):
        rows = serialize(sig[band * ROWS : (band + 1) * ROWS])
        digest = hashlib.blake2b(rows, digest_size=8, person=_LSH_PERSON).hexdigest()
        keys.append(f"{band:02d}:{digest}")
    return keys


def serialize(sig: Signature) -> bytes:
    """The signature as little-endian uint32s (512 bytes for 128 values), for a BLOB column."""
    return np.asarray(sig, dtype="<u4").tobytes()


def deserialize(data: bytes) -> Signature:
    """The signature stored by serialize."""
    if len(data) % 4:
        raise ValueError(f"a signature is a whole number of 4-byte values, got {len(data)} bytes")
    return tuple(np.frombuffer(data, dtype="<u4").tolist())
