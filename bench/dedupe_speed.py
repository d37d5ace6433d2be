"""Print MinHash signatures per second on ~2,000-word texts (run: python bench/dedupe_speed.py)."""

from __future__ import annotations

import random
import time

from incidex.dedupe import band_keys, signature

TEXT_WORDS = 2_000  # words per synthetic article, a long news feature
TEXTS = 200  # articles per run
VOCABULARY = 5_000  # distinct words drawn from, so shingles are mostly distinct as in prose


def _texts() -> list[str]:
    """Synthetic articles of random words with a fixed seed (the speed, not the words, matters)."""
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(VOCABULARY)]
    return [" ".join(rng.choices(vocabulary, k=TEXT_WORDS)) for _ in range(TEXTS)]


def main() -> None:
    """Time signature() alone and with band_keys(), as ingest calls them."""
    texts = _texts()
    start = time.perf_counter()
    signatures = [signature(text) for text in texts]
    elapsed = time.perf_counter() - start
    print(f"signature: {len(texts) / elapsed:,.0f} texts/s of {TEXT_WORDS:,} words")
    start = time.perf_counter()
    for sig in signatures:
        band_keys(sig)
    elapsed = time.perf_counter() - start
    print(f"band_keys: {len(texts) / elapsed:,.0f} signatures/s")


if __name__ == "__main__":
    main()
