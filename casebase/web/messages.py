"""The pages' words in Danish and English: the message catalogue (data, no logic).

web/i18n.py says them in the chosen language; vocabulary and field labels come from
vocabularies.py and the catalogue of facets and sorts from catalogue.py.
"""

from .messages_admin import ADMIN_MESSAGES
from .messages_research import RESEARCH_MESSAGES

# key -> (Danish, English). `{name}` placeholders are filled by t(key, name=...).
MESSAGES: dict[str, tuple[str, str]] = {
    # layout
    "site.name": ("casebase", "casebase"),
    "site.tagline": (
        "Forsøgsprojekter i byfornyelse og områdefornyelse",
        "Experimental projects in urban and area renewal",
    ),
    "skip.main": ("Gå til hovedindhold", "Skip to main content"),
    "skip.filters": ("Gå til filtre", "Skip to filters"),
    "nav.label": ("Hovedmenu", "Main menu"),
    "nav.search": ("Søg", "Search"),
    "nav.admin": ("Administration", "Administration"),
    "nav.forms": ("Samarbejdsformer", "Collaboration forms"),
    # the collaboration forms explained (docs/contract.md section 13)
    "forms.title": ("Samarbejdsformer", "Collaboration forms"),
    "forms.intro": (
        "Hvad hver samarbejdsform betyder, skrevet til casebase ud fra fagets egne kilder.",
        "What each collaboration form means, written for casebase from the field's own sources.",
    ),
    "forms.count": ("{count} sager", "{count} cases"),
    "forms.search": ("Søg i sagerne med {label}", "Search the cases with {label}"),
    "forms.source": ("Kilde", "Source"),
    "forms.what": ("Hvad betyder det?", "What does it mean?"),
    "forms.more": ("Mere om samarbejdsformerne", "More on the collaboration forms"),
    "search.in_document": ("I rapporten:", "In the report:"),
    "search.found_in_documents": ("Fundet i dokumenterne", "Found in the documents"),
    "lang.switch": ("English", "Dansk"),
    "lang.switch_label": ("Switch to English", "Skift til dansk"),
    "footer.about": (
        "casebase samler erfaringer fra forsøgsprojekter i dansk byfornyelse.",
        "casebase collects experience from experimental projects in Danish urban renewal.",
    ),
    "footer.api": ("Data som JSON (API)", "Data as JSON (API)"),
    "footer.license": (
        "Data må genbruges under licensen",
        "The data may be reused under the licence",
    ),
    "footer.catalog": ("Datasættet beskrevet (DCAT-AP)", "The dataset described (DCAT-AP)"),
    "flash.label": ("Beskeder", "Messages"),
    # search page
    "search.title": ("Søg i sagerne", "Search the cases"),
    "search.label": ("Søg", "Search"),
    "search.placeholder": ("fx partnerskab, byrum, Aarhus", "e.g. partnership, public space"),
    "search.help": (
        'Flere ord skal alle findes. Brug "citat", OR, -ord og ord*.',
        'All words must match. Use "phrases", OR, -word and word*.',
    ),
    "search.submit": ("Søg", "Search"),
    "search.apply": ("Anvend filtre", "Apply filters"),
    "search.count.none": ("Ingen sager fundet", "No cases found"),
    "search.count.one": ("1 sag", "1 case"),
    "search.count.many": ("{count} sager", "{count} cases"),
    "search.count.range": ("viser {first}–{last}", "showing {first}–{last}"),
    "search.no_results_help": (
        "Prøv færre ord eller fjern nogle filtre.",
        "Try fewer words or remove some filters.",
    ),
    "search.suggestion": ("Mente du", "Did you mean"),
    "search.expanded": ("Søgte også efter:", "Also searched for:"),
    "search.exact": ("Søg kun efter «{q}» som skrevet", "Search only for “{q}” as written"),
    "search.widen": (
        "Søg også efter synonymer og sammensatte ord for «{q}»",
        "Also search for synonyms and compounds of “{q}”",
    ),
    "search.sort": ("Sortér", "Sort"),
    "sort.auto": ("Bedste match, ellers nyeste", "Best match, else newest"),
    "search.filters": ("Filtre", "Filters"),
    "search.active_filters": ("Aktive filtre", "Active filters"),
    "search.remove_filter": ("Fjern filter: {label}", "Remove filter: {label}"),
    "search.clear_all": ("Ryd alle filtre", "Clear all filters"),
    "search.nationwide": ("Landsdækkende", "Nationwide"),
    "search.years_unknown": ("År ukendt", "Year unknown"),
    "search.invalid": ("Søgningen kunne ikke udføres", "The search could not be run"),
    "search.invalid_help": (
        "Tjek adressen, eller start en ny søgning.",
        "Check the address, or start a new search.",
    ),
    "search.new_search": ("Ny søgning", "New search"),
    "search.collaboration_forms": ("Samarbejdsformer", "Collaboration forms"),
    "search.years": ("Periode", "Period"),
    "facet.years": ("Startår", "Years"),
    "facet.year_from": ("Fra år", "From year"),
    "facet.year_to": ("Til år", "To year"),
    "facet.municipalities_of": ("Kommuner ({count})", "Municipalities ({count})"),
    "facet.filter_municipalities": ("Find kommune", "Find municipality"),
    "facet.count": ("{count} sager", "{count} cases"),
    "facet.empty": ("Ingen værdier i de fundne sager.", "No values among the cases found."),
    "chip.year_from": ("Fra {year}", "From {year}"),
    "chip.year_to": ("Til {year}", "To {year}"),
    "page.label": ("Sider", "Pages"),
    "page.previous": ("Forrige", "Previous"),
    "page.next": ("Næste", "Next"),
    "page.number": ("Side {page}", "Page {page}"),
    "export.title": ("Hent resultaterne", "Download the results"),
    "search.follow": ("Følg denne søgning", "Follow this search"),
    "search.follow_hint": ("(Atom-feed med nye sager)", "(Atom feed of new cases)"),
    "feed.title": ("casebase – nye sager", "casebase – new cases"),
    "feed.query": ("«{q}»", "“{q}”"),
    "feed.link_title": ("Nye sager i denne søgning", "New cases in this search"),
    "site.description": (
        "Søgbar database over danske forsøgsprojekter i byfornyelse og områdefornyelse: "
        "partnerskaber, borgerinddragelse, resultater og erfaringer.",
        "Searchable database of Danish experimental projects in urban and area renewal: "
        "partnerships, citizen co-creation, results and lessons learned.",
    ),
    "export.csv": ("CSV", "CSV"),
    "export.xlsx": ("Excel (XLSX)", "Excel (XLSX)"),
    "export.json": ("JSON", "JSON"),
    "chart.title": ("Sager pr. startår", "Cases per start year"),
    "chart.summary": (
        "{total} sager med startår fra {first} til {last}; flest i {peak} ({count}).",
        "{total} cases with a start year from {first} to {last}; most in {peak} ({count}).",
    ),
    "chart.table": ("Vis tallene som tabel", "Show the numbers as a table"),
    "chart.year": ("Startår", "Start year"),
    "chart.cases": ("Sager", "Cases"),
    "chart.bar": ("{year}: {count} sager", "{year}: {count} cases"),
    # case page
    "case.facts": ("Fakta", "Facts"),
    "case.description": ("Beskrivelse", "Description"),
    "case.results": ("Resultater og erfaringer", "Results and lessons learned"),
    "case.economy": ("Økonomi", "Finances"),
    "case.location": ("Placering", "Location"),
    "case.similar": ("Lignende sager", "Similar cases"),
    "case.similar_none": ("Ingen lignende sager fundet.", "No similar cases found."),
    "case.cite": ("Henvis til sagen", "Cite this case"),
    "case.citation": ("Henvisning", "Citation"),
    "case.permalink": ("Permanent link", "Permalink"),
    "case.json": ("Sagen som JSON", "This case as JSON"),
    "case.search_link": ("Find sager med {label}", "Find cases with {label}"),
    "case.edit": ("Redigér sagen", "Edit this case"),
    "case.back": ("Tilbage til søgningen", "Back to the search"),
    "case.record": ("Registrering", "Record"),
    "notfound.title": ("Siden findes ikke", "Page not found"),
    "notfound.case": (
        "Der er ingen sag med referencen «{ref}».",
        "There is no case with the reference “{ref}”.",
    ),
    "notfound.help": (
        "Måske er sagen slettet, eller adressen er skrevet forkert.",
        "The case may have been deleted, or the address may be mistyped.",
    ),
    "gone.title": ("Sagen er slettet", "The case was deleted"),
    "gone.case": (
        "Sagen med referencen «{ref}» blev slettet",
        "The case with the reference “{ref}” was deleted on",
    ),
    "gone.help": (
        "En administrator kan gendanne den. Dens historik er bevaret.",
        "An administrator can restore it. Its history is kept.",
    ),
    "error.title": ("Der opstod en fejl", "Something went wrong"),
    "error.help": ("Prøv igen, eller gå til forsiden.", "Try again, or go to the front page."),
    "error.csrf": (
        "Formularen var udløbet eller ugyldig. Indlæs siden igen og prøv på ny.",
        "The form had expired or was invalid. Reload the page and try again.",
    ),
    # history (case page, admins)
    "history.title": ("Historik", "History"),
    "history.help": (
        "Hver ændring af sagen med hvem, hvornår og hvad. Fjernede ord er overstreget, "
        "tilføjede ord understreget.",
        "Every change of the case with who, when and what. Removed words are struck "
        "through, added words underlined.",
    ),
    "history.version": ("Version {version}", "Version {version}"),
    "history.action.create": ("oprettet", "created"),
    "history.action.update": ("ændret", "updated"),
    "history.action.delete": ("slettet", "deleted"),
    "history.action.restore": ("gendannet", "restored"),
    "history.by": ("af {name}", "by {name}"),
    "history.changes": ("Ændringer i version {version}", "Changes in version {version}"),
    "history.field": ("Felt", "Field"),
    "history.before": ("Før", "Before"),
    "history.after": ("Efter", "After"),
    "history.empty": ("(tom)", "(empty)"),
    "history.reordered": ("samme værdier i ny rækkefølge", "the same values in a new order"),
    "history.removed": ("fjernet:", "removed:"),
    "history.added": ("tilføjet:", "added:"),
    "history.first_known": (
        "Den første kendte version: ændringerne før den blev ikke gemt.",
        "The first known version: the changes before it were not kept.",
    ),
    "history.no_changes": ("Ingen felter ændret.", "No fields changed."),
    "history.restore": ("Gendan version {version}", "Restore version {version}"),
    "history.restore_case": ("Gendan sagen", "Restore the case"),
    "history.restore_help": (
        "Gendannelse gemmer en ny version med indholdet fra den valgte version.",
        "Restoring saves a new version with the content of the chosen version.",
    ),
    "history.restored": (
        "Sagen «{title}» er gendannet som version {version}.",
        "The case “{title}” was restored as version {version}.",
    ),
    "history.stale": (
        "Sagen er blevet ændret, siden du åbnede siden. Se historikken igen, og gendan derefter.",
        "The case changed since you opened the page. Look at the history again, then restore.",
    ),
    "history.invalid": (
        "Versionen kan ikke gendannes, da den ikke overholder nutidens regler: {problems}",
        "The version cannot be restored, as it breaks today's rules: {problems}",
    ),
    # citations and similar cases (case page)
    "case.citation_files": ("Hent henvisningen", "Download the citation"),
    "case.citation_file": ("Henvisningen som {format}", "The citation as {format}"),
    "similar.why": ("Fælles med denne sag", "Shared with this case"),
    "similar.words": ("Fælles ord", "Shared words"),
}


# The schemas' messages in Danish, by their catalogue key (casebase/schemas/messages.py).
SCHEMA_MESSAGES_DA = {
    "required": "Skal udfyldes.",
    "unknown_field": "Ukendt felt.",
    "wrong_type": "Forkert type af værdi.",
    "text.invalid": "Ikke en gyldig tekst.",
    "text.unstorable": "Indeholder et NUL-tegn eller ugyldig Unicode.",
    "length.between": "Skal være mellem {min} og {max} tegn.",
    "length.max": "Længere end højst {max} tegn.",
    "number.whole": "Ikke et helt tal.",
    "number.invalid": "Ikke et gyldigt tal.",
    "number.special": "Særlige tal (nan, uendelig) er ikke tilladt.",
    "range.between": "Skal være mellem {min} og {max}.",
    "range.denmark": "Skal ligge i Danmark: mellem {min} og {max}.",
    "ref.pattern": "Skal være 1-64 tegn: A-Z, a-z, 0-9, '.', '_' og '-', og begynde med et "
    "bogstav eller tal.",
    "ref.address": "Skal være '{ref}', referencen i adressen.",
    "ref.twice": "Referencen '{ref}' står to gange i denne import.",
    "years.order": "Må ikke ligge før startåret ({start}).",
    "coordinates.both": "Angiv både bredde- og længdegrad, eller ingen af dem.",
    "url.http": "Ikke en http(s)-adresse.",
    "forms.required": "Vælg mindst én samarbejdsform.",
    "themes.required": "Vælg mindst ét tema.",
    "list.invalid": "Forventede en liste af værdier.",
    "record.object": "En sag skal være et objekt med felter.",
    "vocabulary.type": "Forventede en værdi som tekst.",
    "vocabulary.unknown": "Ukendt værdi '{value}'.",
    "vocabulary.suggest": "Ukendt værdi '{value}'; mente du '{suggestion}'?",
    "vocabulary.allowed": "Ukendt værdi '{value}'; tilladt: {allowed}.",
    "search.unknown_parameter": "Ukendt parameter '{name}'. Tilladt: {allowed}.",
    "search.sort": "Ukendt sortering '{input}'. Tilladt: {allowed}.",
    "search.number": "{name} skal være et helt tal fra {low} til {high}.",
    "search.number_from": "{name} skal være et helt tal fra {low} og op.",
    "search.year": "{name} skal være et helt tal (et år som 2015).",
    "thesaurus.terms": "En gruppe har 2 til {max} termer.",
    "thesaurus.groups": "En tesaurus har 1 til {max} grupper.",
    "thesaurus.twice": "Termen '{term}' står i gruppe {first} og i gruppe {second}.",
    "thesaurus.json": "Ikke en tesaurus-fil: {problem}.",
    "crosstab.dimension": "Ukendt {name} '{input}'. Tilladt: {allowed}.",
    "crosstab.required": "{name} skal angives: en af {allowed}.",
    "crosstab.same": "Rækker og kolonner skal være forskellige, ikke begge '{name}'.",
    "crosstab.format": "Ukendt format '{input}'. Tilladte formater: {allowed}.",
    "compare.count": "Vælg {low} til {high} forskellige sager at sammenligne.",
    "document.kind": "Skal være en af: {kinds}.",
    "plain": "{text}",
}

# The admin pages' words and the research tools' (docs/contract.md section 10) live in their own
# modules.
MESSAGES.update(ADMIN_MESSAGES)
MESSAGES.update(RESEARCH_MESSAGES)
