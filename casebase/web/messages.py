"""The pages' words in Danish and English: the message catalogue (data, no logic).

web/i18n.py says them in the chosen language; vocabulary and field labels come from
vocabularies.py and the catalogue of facets and sorts from catalogue.py.
"""

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
    "lang.switch": ("English", "Dansk"),
    "lang.switch_label": ("Switch to English", "Skift til dansk"),
    "footer.about": (
        "casebase samler erfaringer fra forsøgsprojekter i dansk byfornyelse.",
        "casebase collects experience from experimental projects in Danish urban renewal.",
    ),
    "footer.api": ("Data som JSON (API)", "Data as JSON (API)"),
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
    # admin
    "admin.title": ("Administration", "Administration"),
    "admin.login": ("Log ind", "Log in"),
    "admin.logout": ("Log ud", "Log out"),
    "admin.logged_in_as": ("Logget ind som {name}", "Logged in as {name}"),
    "admin.username": ("Brugernavn", "User name"),
    "admin.password": ("Adgangskode", "Password"),
    "admin.login_failed": ("Forkert brugernavn eller adgangskode.", "Wrong user name or password."),
    "admin.login_throttled": (
        "For mange mislykkede forsøg. Vent et øjeblik og prøv igen.",
        "Too many failed attempts. Wait a moment and try again.",
    ),
    "admin.not_admin": (
        "Brugeren {name} er ikke administrator og kan ikke bruge "
        "administrationen. Kontakt en administrator.",
        "The user {name} is not an administrator and cannot use the "
        "administration. Contact an administrator.",
    ),
    "admin.login_required": (
        "Log ind som administrator for at fortsætte.",
        "Log in as an administrator to continue.",
    ),
    "admin.logged_out": ("Du er logget ud.", "You are logged out."),
    "admin.welcome": ("Velkommen, {name}.", "Welcome, {name}."),
    "admin.tasks": ("Opgaver", "Tasks"),
    "admin.new_case": ("Opret en sag", "Create a case"),
    "admin.import": ("Importér sager fra en fil", "Import cases from a file"),
    "admin.thesaurus": ("Redigér tesaurus", "Edit the thesaurus"),
    "thesaurus.title": ("Tesaurus", "Thesaurus"),
    "thesaurus.help": (
        "Grupper af termer, som søgningen behandler som ens: forkortelser, tidligere navne på "
        "programmer og love, danske og engelske betegnelser. Skriv en gruppes termer adskilt "
        "af |. Ændringer virker for næste søgning.",
        "Groups of terms the search treats as equivalent: abbreviations, former names of "
        "programmes and laws, Danish and English terms. Separate a group's terms by |. "
        "Changes take effect for the next search.",
    ),
    "thesaurus.version": ("Version {version}", "Version {version}"),
    "thesaurus.download": ("Hent som fil", "Download as a file"),
    "thesaurus.group": ("Gruppe", "Group"),
    "thesaurus.terms": ("Termer", "Terms"),
    "thesaurus.note": ("Note", "Note"),
    "thesaurus.source": ("Kilde", "Source"),
    "thesaurus.source_title": ("Titel", "Title"),
    "thesaurus.source_publisher": ("Udgiver", "Publisher"),
    "thesaurus.source_url": ("Adresse", "Address"),
    "thesaurus.delete": ("Slet", "Delete"),
    "thesaurus.save": ("Gem tesaurus", "Save the thesaurus"),
    "thesaurus.upload": ("Erstat med en fil", "Replace with a file"),
    "thesaurus.replace": ("Erstat hele tesaurus", "Replace the whole thesaurus"),
    "thesaurus.saved": (
        "Tesaurus er gemt (version {version}).",
        "The thesaurus was saved (version {version}).",
    ),
    "thesaurus.not_saved": (
        "Tesaurus blev ikke gemt. Ret fejlene:",
        "The thesaurus was not saved. Correct these problems:",
    ),
    "thesaurus.not_json": ("Filen er ikke JSON: {problem}", "The file is not JSON: {problem}"),
    "thesaurus.stale": (
        "En anden har gemt tesaurus, mens du redigerede. Dine rækker står herunder; "
        "genindlæs siden for at se den gemte udgave, og gem dine ændringer igen.",
        "Someone else saved the thesaurus while you were editing. Your rows are below; "
        "reload the page to see the saved version and save your changes again.",
    ),
    "admin.find_case": ("Find en sag at redigere", "Find a case to edit"),
    "admin.find_label": (
        "Søg efter titel, tekst eller reference",
        "Search by title, text or reference",
    ),
    "admin.find_submit": ("Find", "Find"),
    "admin.found": ("Fundne sager", "Cases found"),
    "admin.edit": ("Redigér", "Edit"),
    "admin.delete": ("Slet", "Delete"),
    "admin.changes": ("Seneste ændringer", "Recent changes"),
    "admin.changes_none": ("Ingen ændringer endnu.", "No changes yet."),
    "admin.change.when": ("Hvornår", "When"),
    "admin.change.who": ("Hvem", "Who"),
    "admin.change.what": ("Hvad", "What"),
    "admin.change.case": ("Sag", "Case"),
    "admin.change.version": ("Version", "Version"),
    "admin.change.source": ("Kilde", "Source"),
    "admin.change.unknown_user": ("(ukendt)", "(unknown)"),
    "action.created": ("oprettet", "created"),
    "action.updated": ("ændret", "updated"),
    "action.deleted": ("slettet", "deleted"),
    "action.restored": ("gendannet", "restored"),
    "source.admin": ("administration", "admin pages"),
    "source.api": ("API", "API"),
    "source.import": ("import", "import"),
    # case form
    "form.new_title": ("Opret en sag", "Create a case"),
    "form.edit_title": ("Redigér «{title}»", "Edit “{title}”"),
    "form.save": ("Gem", "Save"),
    "form.create": ("Opret", "Create"),
    "form.cancel": ("Annullér", "Cancel"),
    "form.required": ("skal udfyldes", "required"),
    "form.errors": (
        "Sagen blev ikke gemt. Ret fejlene markeret nedenfor.",
        "The case was not saved. Correct the errors marked below.",
    ),
    "form.error_for": ("Fejl", "Error"),
    "form.stale": (
        "Sagen er blevet ændret af en anden, siden du åbnede den "
        "(nu version {version}). Dine ændringer er ikke gemt.",
        "Someone else changed the case since you opened it (now version "
        "{version}). Your changes were not saved.",
    ),
    "form.stale_reload": ("Åbn den nyeste version", "Open the newest version"),
    "form.conflict": (
        "Der findes allerede en sag med denne reference.",
        "A case with this reference exists already.",
    ),
    "form.saved": ("Sagen «{title}» er gemt.", "The case “{title}” was saved."),
    "form.created": ("Sagen «{title}» er oprettet.", "The case “{title}” was created."),
    "form.version": ("Version {version}", "Version {version}"),
    "form.ref_help": (
        "Bogstaver, tal, punktum, bindestreg og understregning; bruges i "
        "adressen og kan ikke ændres senere.",
        "Letters, digits, dots, hyphens and underscores; used in the address "
        "and cannot be changed later.",
    ),
    "form.list_help": ("Én pr. linje.", "One per line."),
    "form.links_help": (
        "Én pr. linje: titel | https://adresse",
        "One per line: title | https://address",
    ),
    "form.amount_help": (
        "Hele kroner, fx 1250000 eller 1.250.000.",
        "Whole kroner, e.g. 1250000 or 1.250.000.",
    ),
    "form.coordinates_help": (
        "Decimalgrader, fx 56,15 og 10,21.",
        "Decimal degrees, e.g. 56.15 and 10.21.",
    ),
    "form.status_auto": ("Automatisk ud fra slutår", "Automatic from the end year"),
    "form.section.basics": ("Grundoplysninger", "Basics"),
    "form.section.place_time": ("Sted og tid", "Place and time"),
    "form.section.classification": (
        "Samarbejde, aktører og temaer",
        "Collaboration, actors and themes",
    ),
    "form.section.economy": ("Økonomi og kontakt", "Finances and contact"),
    "form.section.links": ("Links og placering", "Links and location"),
    "delete.title": ("Slet «{title}»?", "Delete “{title}”?"),
    "delete.warning": (
        "Sagen fjernes fra søgningen, og dens adresse siger, at den er slettet. Dens historik "
        "bevares, så en administrator kan gendanne den.",
        "The case will be removed from the search, and its address will say it was deleted. "
        "Its history is kept, so an administrator can restore it.",
    ),
    "delete.confirm": ("Ja, slet sagen", "Yes, delete the case"),
    "delete.done": ("Sagen {ref} er slettet.", "The case {ref} was deleted."),
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
    # import
    "import.title": ("Importér sager", "Import cases"),
    "import.help": (
        "Vælg en fil i CSV, XLSX, JSON eller JSON Lines. Du ser først en prøve "
        "af resultatet; intet gemmes, før du bekræfter.",
        "Choose a file in CSV, XLSX, JSON or JSON Lines. You first see a preview "
        "of the result; nothing is saved until you confirm.",
    ),
    "import.file": ("Fil", "File"),
    "import.format": ("Format", "Format"),
    "import.format_auto": ("Find selv ud af det", "Detect automatically"),
    "import.preview": ("Vis prøve", "Show preview"),
    "import.no_file": ("Vælg en fil.", "Choose a file."),
    "import.unreadable": (
        "Filen kunne ikke læses: {message}",
        "The file could not be read: {message}",
    ),
    "import.preview_title": ("Prøve af importen af «{name}»", "Preview of importing “{name}”"),
    "import.preview_note": (
        "Dette er en prøve: intet er gemt endnu.",
        "This is a preview: nothing has been saved yet.",
    ),
    "import.created": ("Nye", "New"),
    "import.updated": ("Ændrede", "Changed"),
    "import.unchanged": ("Uændrede", "Unchanged"),
    "import.rejected": ("Afviste", "Rejected"),
    "import.counts": ("Optælling", "Counts"),
    "import.errors": ("Fejl", "Errors"),
    "import.no_errors": ("Ingen fejl.", "No errors."),
    "import.row": ("Række", "Row"),
    "import.ref": ("Reference", "Reference"),
    "import.field": ("Felt", "Field"),
    "import.message": ("Fejl", "Problem"),
    "import.on_error": ("Hvis nogle sager afvises", "If some cases are rejected"),
    "import.on_error.abort": ("Gem ingenting", "Save nothing"),
    "import.on_error.skip": (
        "Gem de gyldige sager og spring de afviste over",
        "Save the valid cases and skip the rejected ones",
    ),
    "import.confirm": ("Bekræft og importér", "Confirm and import"),
    "import.discard": ("Kassér filen", "Discard the file"),
    "import.discarded": (
        "Filen er kasseret; intet er gemt.",
        "The file was discarded; nothing was saved.",
    ),
    "import.expired": (
        "Den uploadede fil findes ikke længere. Upload den igen.",
        "The uploaded file is gone. Upload it again.",
    ),
    "import.done": (
        "Importen er gennemført: {created} nye, {updated} ændrede, {unchanged} "
        "uændrede, {rejected} afviste.",
        "The import is done: {created} new, {updated} changed, {unchanged} "
        "unchanged, {rejected} rejected.",
    ),
    "import.aborted": (
        "Intet blev gemt, fordi {rejected} sager blev afvist.",
        "Nothing was saved because {rejected} cases were rejected.",
    ),
    "import.abort_warning": (
        "Med «Gem ingenting» bliver intet gemt, fordi {rejected} sager afvises.",
        "With “Save nothing”, nothing will be saved because {rejected} cases are rejected.",
    ),
    "import.result_title": ("Resultat af importen", "Result of the import"),
    "import.timed_out": (
        "Importen tog mere end {seconds} sekunder og blev stoppet; intet er gemt. Del filen op "
        "i mindre filer, eller importér den med kommandoen casebase import.",
        "The import took longer than {seconds} seconds and was stopped; nothing was saved. "
        "Split the file into smaller ones, or import it with the command casebase import.",
    ),
    "import.errors_shown": (
        "Viser de første {shown} af {total} fejl.",
        "Showing the first {shown} of {total} errors.",
    ),
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
    "plain": "{text}",
}

# The research tools' words (docs/contract.md section 10) live in their own module.
MESSAGES.update(RESEARCH_MESSAGES)
