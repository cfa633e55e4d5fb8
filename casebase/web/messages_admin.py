"""The admin pages' words in Danish and English (data, no logic): the forms, the case form
and imports. Part of the message catalogue in web/messages.py."""

ADMIN_MESSAGES: dict[str, tuple[str, str]] = {
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
    "action.document": ("dokumenter ændret", "documents changed"),
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
    # documents of a case (admin pages; the case page lists them too)
    "documents.title": ("Dokumenter: {title}", "Documents: {title}"),
    "documents.edit_case": ("Redigér sagen", "Edit the case"),
    "documents.link": ("Dokumenter ({count})", "Documents ({count})"),
    "documents.list": ("Sagens dokumenter", "The case's documents"),
    "documents.none": ("Sagen har ingen dokumenter endnu.", "The case has no documents yet."),
    "documents.field_title": ("Titel", "Title"),
    "documents.field_kind": ("Slags", "Kind"),
    "documents.field_year": ("År", "Year"),
    "documents.field_file": ("Fil", "File"),
    "documents.field_text": ("Tekst", "Text"),
    "documents.pages": ("{count} sider", "{count} pages"),
    "documents.has_text": ("Søgbar", "Searchable"),
    "documents.no_text": ("Ingen tekst (skannet?)", "No text (a scan?)"),
    "documents.delete": ("Slet", "Delete"),
    "documents.add": ("Tilføj et dokument", "Add a document"),
    "documents.file_help": (
        "PDF, Word (DOCX), OpenDocument (ODT), HTML eller tekst, højst {mb} MB.",
        "PDF, Word (DOCX), OpenDocument (ODT), HTML or text, at most {mb} MB.",
    ),
    "documents.upload": ("Tilføj", "Add"),
    "documents.no_file": ("Vælg en fil.", "Choose a file."),
    "documents.refused": (
        "Dokumentet blev ikke gemt: {reason}",
        "The document was not kept: {reason}",
    ),
    "documents.added": ("Dokumentet «{title}» er tilføjet.", "The document “{title}” was added."),
    "documents.deleted": ("Dokumentet er slettet.", "The document was deleted."),
    "documents.gone": ("Dokumentet findes ikke længere.", "The document no longer exists."),
    "documents.heading": ("Dokumenter", "Documents"),
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
