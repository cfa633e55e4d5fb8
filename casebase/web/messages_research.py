"""The research tools' words in Danish and English (docs/contract.md section 10): the views of
a search (list and map), the cross-tabulation, the map and the comparison of cases. Part of
the pages' message catalogue (web/messages.py); data, no logic.
"""

# key -> (Danish, English). `{name}` placeholders are filled by t(key, name=...).
RESEARCH_MESSAGES: dict[str, tuple[str, str]] = {
    # views of a search: the list and the map (docs/contract.md section 10)
    "view.label": ("Vis søgningen som", "Show the search as"),
    "view.list": ("Liste", "List"),
    "view.map": ("Kort", "Map"),
    # cross-tabulation
    "crosstab.title": ("Krydstabel", "Cross-tabulation"),
    "crosstab.help": (
        "Tæl de fundne sager efter to ting på én gang, fx region og samarbejdsform.",
        "Count the cases found by two things at once, e.g. region and collaboration form.",
    ),
    "crosstab.rows": ("Rækker", "Rows"),
    "crosstab.cols": ("Kolonner", "Columns"),
    "crosstab.none": ("Ingen", "None"),
    "crosstab.show": ("Vis tabellen", "Show the table"),
    "crosstab.incomplete": (
        "Vælg både rækker og kolonner for at se tabellen.",
        "Choose both rows and columns to see the table.",
    ),
    "crosstab.caption": (
        "{rows} × {cols}: {total} sager med begge dele",
        "{rows} × {cols}: {total} cases with both",
    ),
    "crosstab.cell": ("{count} sager: {row} og {col}", "{count} cases: {row} and {col}"),
    "crosstab.total": ("I alt", "Total"),
    "crosstab.note": (
        "En sag med to værdier tælles i begge rækker eller kolonner; »I alt« tæller sager. "
        "Tallene linker til sagerne.",
        "A case with two values counts in both rows or columns; “Total” counts cases. "
        "The numbers link to the cases.",
    ),
    "crosstab.empty": (
        "Ingen af de fundne sager har begge dele.",
        "None of the cases found has both.",
    ),
    "crosstab.download": ("Hent tabellen", "Download the table"),
    "crosstab.csv": ("CSV (Excel)", "CSV (Excel)"),
    "crosstab.json": ("JSON", "JSON"),
    # the map
    "map.title": ("Kort over søgningen", "Map of the search"),
    "map.label": ("Kort over de fundne sager", "Map of the cases found"),
    "map.help": (
        "Punkterne er de fundne sager; tal er flere sager samme sted. Klik på et punkt, eller "
        "vælg det med tabulatortasten og tryk Enter, for at åbne sagen. Listen nedenfor viser "
        "de samme sager.",
        "The points are the cases found; numbers are several cases in one place. Click a point, "
        "or reach it with the Tab key and press Enter, to open the case. The list below shows "
        "the same cases.",
    ),
    "map.no_script": (
        "Kortet kræver JavaScript. Listen nedenfor viser de samme sager og deres placering.",
        "The map needs JavaScript. The list below shows the same cases and where they are.",
    ),
    "map.shown": (
        "Kortet viser {count} af de fundne sager; landsdækkende sager uden koordinater har "
        "ingen plads på kortet.",
        "The map shows {count} of the cases found; nationwide cases without coordinates have "
        "no place on it.",
    ),
    "map.failed": (
        "Sagerne kunne ikke hentes til kortet. Listen nedenfor viser dem.",
        "The cases could not be fetched for the map. The list below shows them.",
    ),
    "map.cases": ("sager", "cases"),
    "map.approximate": ("placeret ved kommunens midtpunkt", "placed at the municipality's centre"),
    "map.zoom_in": ("Zoom ind", "Zoom in"),
    "map.zoom_out": ("Zoom ud", "Zoom out"),
    "map.legend": ("Signaturforklaring", "Legend"),
    "map.place.own": ("Egne koordinater", "Own coordinates"),
    "map.place.centre": (
        "Kommunens midtpunkt (omtrentlig placering)",
        "The municipality's centre (approximate)",
    ),
    "map.place.none": ("Ingen placering (landsdækkende)", "No place (nationwide)"),
    "map.list": ("Sagerne og deres placering", "The cases and where they are"),
    "map.list_caption": (
        "De fundne sager på denne side: kommuner og placering på kortet",
        "The cases found on this page: municipalities and place on the map",
    ),
    "map.case": ("Sag", "Case"),
    "map.placement": ("Placering på kortet", "Place on the map"),
    # comparing cases
    "compare.pick_heading": ("Sammenlign sager", "Compare cases"),
    "compare.pick_help": (
        "Sæt kryds ved 2–4 sager og sammenlign dem felt for felt.",
        "Tick 2–4 cases and compare them field by field.",
    ),
    "compare.pick": ("Sammenlign", "Compare"),
    "compare.submit": ("Sammenlign de valgte sager", "Compare the chosen cases"),
    "compare.title": ("Sammenlign sager", "Compare cases"),
    "compare.caption": (
        "{count} sager side om side, felt for felt",
        "{count} cases side by side, field by field",
    ),
    "compare.field": ("Felt", "Field"),
    "compare.legend": (
        "✓ markerer de værdier, sagerne deler, med hvor mange der har dem (fx »fælles for 2 af "
        "3«).",
        "✓ marks the values the cases share, with how many hold them (e.g. “shared by 2 of 3”).",
    ),
    "compare.shared_all": ("fælles for alle", "shared by all"),
    "compare.shared_both": ("fælles for begge", "shared by both"),
    "compare.shared_some": ("fælles for {shared} af {total}", "shared by {shared} of {total}"),
    "compare.remove": ("Fjern fra sammenligningen", "Remove from the comparison"),
    "compare.unknown": (
        "Der er ingen sag med referencen {refs}.",
        "There is no case with the reference {refs}.",
    ),
    "compare.problem_help": (
        "Vælg sager til sammenligning på søgesiden: sæt kryds ved 2–4 sager og tryk på knappen.",
        "Choose cases to compare on the search page: tick 2–4 cases and press the button.",
    ),
    "compare.to_search": ("Til søgningen", "To the search"),
}
