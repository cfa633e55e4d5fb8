"""The search's catalogue: every facet and every sort, declared once.

The index's facet columns, the API's parameters and OpenAPI description, the search page's
panels and chips, the admin form, the case page's links, similar cases, the CLI's help and
the export links all read these declarations. A new facet also needs its record field (the
record schema, models.TERM_FIELDS, vocabularies.FIELDS) and, as the index stores the facet
codes, a `casebase reindex`.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import vocabularies


@dataclass(frozen=True)
class Facet:
    """A filterable, countable field of the cases."""

    name: str  # the search parameter and the key of its counts in a search answer
    field: str  # the record field that holds its keys
    vocabulary: str  # the vocabulary of its keys (vocabularies.VOCABULARIES)
    multi: bool  # a list of keys (True) or a single key
    label_da: str  # what one value is called (filter chips, table headings)
    label_en: str
    panel: int | None  # its place among the search page's panels; None: shown inside another
    similar_weight: float = 0.0  # bonus per shared value when ranking similar cases
    legend_da: str | None = None  # the heading of its panel, when not the label
    legend_en: str | None = None

    def label(self, lang: str = "da") -> str:
        return self.label_en if lang == "en" else self.label_da

    def legend(self, lang: str = "da") -> str:
        legend = self.legend_en if lang == "en" else self.legend_da
        return legend or self.label(lang)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(term.key for term in vocabularies.VOCABULARIES[self.vocabulary])


@dataclass(frozen=True)
class Sort:
    key: str
    label_da: str
    label_en: str

    def label(self, lang: str = "da") -> str:
        return self.label_en if lang == "en" else self.label_da


# In the order of a search answer's `facets`. Municipalities are shown inside their region.
FACETS = (
    Facet(
        "collaboration_form",
        "collaboration_forms",
        "collaboration_form",
        True,
        "Samarbejdsform",
        "Collaboration form",
        panel=1,
        similar_weight=0.3,
    ),
    Facet("actor", "actors", "actor", True, "Aktør", "Actor", 3, 0.0, "Aktører", "Actors"),
    Facet("theme", "themes", "theme", True, "Tema", "Theme", panel=2, similar_weight=0.15),
    Facet(
        "region",
        "regions",
        "region",
        True,
        "Region",
        "Region",
        panel=4,
        legend_da="Region og kommune",
        legend_en="Region and municipality",
    ),
    Facet(
        "municipality",
        "municipalities",
        "municipality",
        True,
        "Kommune",
        "Municipality",
        panel=None,
        similar_weight=0.1,
    ),
    Facet("status", "status", "status", False, "Status", "Status", panel=5),
)
FACET_NAMES = tuple(facet.name for facet in FACETS)
BY_NAME = {facet.name: facet for facet in FACETS}
BY_FIELD = {facet.field: facet for facet in FACETS}
# The facet of start years, counted beside the vocabulary facets (not a filter of its own:
# year_from and year_to are).
YEAR_FACET = "start_year"
COUNTED = (*FACET_NAMES, YEAR_FACET)
# What a cross-tabulation can put in its rows and columns (docs/contract.md section 10): every
# facet, the start year, and the decade of the start year.
DECADE = "decade"
YEAR_DIMENSIONS = {
    YEAR_FACET: ("Startår", "Start year"),
    DECADE: ("Årti", "Decade"),
}
DIMENSIONS = (*FACET_NAMES, *YEAR_DIMENSIONS)
PANELS = tuple(sorted((f for f in FACETS if f.panel is not None), key=lambda f: f.panel or 0))

SORTS = (
    Sort("relevance", "Bedste match", "Best match"),
    Sort("newest", "Nyeste først", "Newest first"),
    Sort("oldest", "Ældste først", "Oldest first"),
    Sort("title", "Titel (A–Å)", "Title (A–Z)"),
)
SORT_KEYS = tuple(sort.key for sort in SORTS)
DEFAULT_SORT_WITH_QUERY = "relevance"
DEFAULT_SORT_WITHOUT_QUERY = "newest"

# The search's other parameters: one value each.
YEAR_PARAMETERS = ("year_from", "year_to")
PAGE_PARAMETERS = ("page", "per_page")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


def default_sort(has_query: bool) -> str:
    return DEFAULT_SORT_WITH_QUERY if has_query else DEFAULT_SORT_WITHOUT_QUERY


def dimension_label(name: str, lang: str = "da") -> str:
    """What a cross-tabulation's rows or columns are called: a facet's label, or a year's."""
    if name in BY_NAME:
        return BY_NAME[name].label(lang)
    danish, english = YEAR_DIMENSIONS[name]
    return english if lang == "en" else danish
