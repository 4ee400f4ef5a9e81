"""The cooperation's small, rarely changing vocabulary – associations, topics, agreement goals – for
filter choices, cached so that list pages do not spend a query on each select box.

The cache entry is derived data: saving or deleting an association, topic or goal drops it
(signals in ``clusters.apps``), and it expires after five minutes in any case.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import get_language

CACHE_KEY = "clusters:vocabulary:v1"
TIMEOUT = 300


@dataclass(frozen=True)
class Term:
    key: str  # slug, or pk as a string for goals
    label_de: str
    label_en: str

    @property
    def label(self) -> str:
        language = get_language() or "de"
        return (self.label_en or self.label_de) if language.startswith("en") else self.label_de


def vocabulary() -> dict[str, list[Term]]:
    data = cache.get(CACHE_KEY)
    if data is None:
        from .models import Cluster, Goal, Topic

        data = {
            "clusters": [
                Term(slug, short, short)
                for slug, short in Cluster.objects.order_by("short_name").values_list("slug", "short_name")
            ],
            "topics": [Term(*row) for row in Topic.objects.order_by("name").values_list("slug", "name", "name_en")],
            "goals": [
                Term(str(pk), f"{number}. {title}", f"{number}. {title_en}" if title_en else "")
                for pk, number, title, title_en in Goal.objects.order_by("agreement_id", "number").values_list(
                    "pk", "number", "title", "title_en"
                )
            ],
        }
        cache.set(CACHE_KEY, data, TIMEOUT)
    return data


def choices(kind: str) -> list[tuple[str, str]]:
    return [(term.key, term.label) for term in vocabulary()[kind]]


def vocabulary_forget(**kwargs) -> None:
    cache.delete(CACHE_KEY)
