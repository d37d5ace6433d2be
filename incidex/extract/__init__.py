"""Extraction: clean article text in, codebook incidents and statistics out.

`extract_article` is a pure function of the article, so a distributed engine can run it
unchanged; the stages it calls live one per module beside it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from incidex.clean import truncate_text
from incidex.extract.coding import Context, code_incident
from incidex.extract.dates import publication_date
from incidex.extract.incidents import Facts, group_sentences, sentence_facts
from incidex.extract.places import article_countries
from incidex.extract.sentences import split_sentences
from incidex.extract.statistics import find_statistic
from incidex.records import Article, Extraction, Statistic

__all__ = ["extract_article"]


def extract_article(article: Article) -> Extraction:
    """Incidents and statistics of one cleaned article (codebook section 6).

    Only the first MAX_ARTICLE_CHARS of the text are read, so that time stays bounded.
    """
    published = publication_date(article.published)
    text = truncate_text(article.text)
    countries = article_countries(text)
    main = countries.most_common(1)[0][0] if countries else None
    facts = [
        sentence_facts(s, published, frozenset(countries), main) for s in split_sentences(text)
    ]
    context = _context(facts, countries, published)
    drafts = group_sentences(facts)
    incidents = tuple(code_incident(draft, context) for draft in drafts)
    statistics = tuple(_statistics(facts, published, context))
    return Extraction(
        doc=article.id,
        published=article.published,
        title=article.title,
        source=article.source,
        incidents=incidents,
        statistics=statistics,
        url=article.url,
        text=article.text,
    )


def _context(facts: list[Facts], countries: Counter[str], published: date | None) -> Context:
    """Article-wide defaults: publication day (when it is a real date), the country and
    province most named."""
    provinces: Counter[tuple[str, str]] = Counter()
    for fact in facts:
        for hit in fact.places:
            if hit.entry is not None and hit.entry.admin1:
                provinces[(hit.entry.country, hit.entry.admin1)] += 1
    country = countries.most_common(1)[0][0] if countries else None
    admin1 = next((a for (c, a), _ in provinces.most_common() if c == country), None)
    date_value = published.isoformat() if published else None
    return Context(date_value, "day" if date_value else "unknown", country, admin1)


def _statistics(facts: list[Facts], published: object, context: Context) -> list[Statistic]:
    """Aggregate figures of statistic sentences."""
    found = []
    for fact in facts:
        if fact.statistic:
            where = next(
                (h.entry.admin1 for h in fact.places if h.entry and h.entry.kind == "admin1"), None
            )
            stat = find_statistic(fact.sentence.text, published, where or context.country)  # type: ignore[arg-type]
            if stat is not None:
                found.append(stat)
    return found
