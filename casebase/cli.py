"""The `casebase` command (docs/contract.md section 5): exit 0 ok, 1 data rejected, 2 bad usage.

An unreadable file is bad usage too (2).
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.exc import SQLAlchemyError

from . import catalogue, logs
from .cli_progress import progress_bar
from .config import load_config
from .engine import SearchParams, SearchResult
from .errors import CasebaseError, UnreadableFile
from .importer import ON_ERROR_CHOICES, ImportLimits, ImportReport
from .readers import FORMATS
from .schemas.search import SearchResponseSchema
from .services import Casebase

EXIT_REJECTED = 1
EXIT_USAGE = 2
# What --filter takes: the catalogue's facets and the years.
FILTER_NAMES = (*catalogue.FACET_NAMES, *catalogue.YEAR_PARAMETERS)
LISTED_COLUMNS = 20  # ignored columns named after an import


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"casebase: {message}", err=True)
    sys.exit(code)


def _system_user() -> str | None:
    """Who runs the command, for the history of what it writes: the system's login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password database
        return None


def _service() -> Casebase:
    """The service layer for this command; closed when the command ends."""
    service = Casebase.from_config(load_config())
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(service.close)
    return service


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn domain errors into one line on stderr and exit 2; never a traceback."""
    try:
        yield
    except UnreadableFile as error:
        _fail(error.message)
    except CasebaseError as error:
        _fail(error.message)
    except OSError as error:
        _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))


def _filters(items: tuple[str, ...]) -> dict[str, list[str]]:
    args: dict[str, list[str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(f"'{item}' is not FIELD=KEY", param_hint="--filter")
        if name.strip() not in FILTER_NAMES:
            raise click.BadParameter(
                f"'{name.strip()}' is no filter; filters: {', '.join(FILTER_NAMES)}",
                param_hint="--filter",
            )
        args.setdefault(name.strip(), []).append(value.strip())
    return args


def _search_params(
    filters: tuple[str, ...],
    query: str = "",
    sort: str | None = None,
    page: int = 1,
    per_page: int = catalogue.DEFAULT_PER_PAGE,
    exact: bool = False,
) -> SearchParams:
    """Typed search parameters: the filters read by the search's schema, the rest as given."""
    params = Casebase.parse_search(_filters(filters))
    return replace(params, q=query, sort=sort, page=page, per_page=per_page, exact=exact)


EXACT_HELP = "Search the words as typed: no compounds' parts, no synonyms."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="casebase", prog_name="casebase", message="%(prog)s %(version)s")
def cli() -> None:
    """casebase: searchable case database of Danish experimental urban-renewal projects."""


@cli.command()
def init() -> None:
    """Create the database or upgrade it to the newest schema (idempotent)."""
    with _user_errors():
        service = _service()
        service.init_db()
        service.sync()
    click.echo(f"database ready: {service.case_count()} cases", err=True)


@cli.command()
def seed() -> None:
    """Import seed_data/ when the database holds no case."""
    with _user_errors():
        service = _service()
        service.init_db()
        if service.case_count():
            click.echo("database not empty: seed data not imported", err=True)
            return
        files = sorted(Path(load_config()["SEED_DIR"]).glob("cases*.json"))
        report = service.import_files(files, user=_system_user())
        if not report.rejected:
            cli_documents.attach_seed_documents(service, Path(load_config()["SEED_DIR"]))
    _print_report(report)
    if report.rejected:
        sys.exit(EXIT_REJECTED)


def _print_report(report: ImportReport) -> None:
    for name, columns in report.ignored_columns.items():
        listed = ", ".join(columns[:LISTED_COLUMNS])
        more = len(columns) - LISTED_COLUMNS
        listed += f" and {more:,} more" if more > 0 else ""
        click.echo(f"{name}: ignored columns that name no field: {listed}", err=True)
    for error in report.errors:
        ref = f" (ref {error['ref']})" if error.get("ref") else ""
        click.echo(f"record {error['row']}{ref}: {error['field']}: {error['message']}", err=True)
    hidden = report.errors_total - len(report.errors)
    if hidden:
        click.echo(
            f"... and {hidden:,} more errors not listed (only the first {len(report.errors):,} "
            "are; set CASEBASE_IMPORT_MAX_ERRORS to list more)",
            err=True,
        )
    if report.dry_run:
        click.echo(
            f"dry run, nothing written: would create {report.created}, update "
            f"{report.updated}, leave unchanged {report.unchanged}; rejected "
            f"{report.rejected}"
        )
    else:
        click.echo(
            f"created {report.created}, updated {report.updated}, unchanged "
            f"{report.unchanged}, rejected {report.rejected}"
        )
    if report.aborted:
        click.echo(
            "import aborted: nothing was written (use --on-error skip to write the valid records)",
            err=True,
        )


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["auto", *FORMATS]), default="auto", show_default=True
)
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@click.option(
    "--on-error",
    type=click.Choice(ON_ERROR_CHOICES),
    default="abort",
    show_default=True,
    help="abort: write nothing when a record is rejected.",
)
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False),
    help="Write the report as JSON to this file.",
)
def import_(
    files: tuple[str, ...], fmt: str, dry_run: bool, on_error: str, report_file: str | None
) -> None:
    """Import cases from CSV, XLSX, JSON or JSON Lines files (upsert by ref)."""
    with _user_errors():
        limits = ImportLimits.from_config(load_config(), timed=False)
        with progress_bar("importing") as progress:
            report = _service().import_files(
                files,
                fmt,
                dry_run,
                on_error,
                user=_system_user(),
                progress=progress,
                limits=limits,
            )
        if report_file:
            Path(report_file).write_text(
                json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    _print_report(report)
    if report.rejected:
        sys.exit(EXIT_REJECTED)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Default: from the -o file's extension, else json.",
)
@click.option("--filter", "filters", multiple=True, metavar="FIELD=KEY")
@click.option("-q", "--query", default="", help="Export only the cases matching this search.")
@click.option("--exact", is_flag=True, help=EXACT_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-")
def export(fmt: str | None, filters: tuple[str, ...], query: str, exact: bool, output: str) -> None:
    """Export cases in an import format (what `import` reads back unchanged)."""
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".")
        fmt = suffix if suffix in FORMATS else "json"
    with _user_errors():
        params = _search_params(filters, query, exact=exact)
        service = _service()
        notice = load_config()["DATA_LICENSE"].notice  # an XLSX workbook names the licence
        if output == "-":
            service.export(params, fmt, sys.stdout.buffer, notice)
            sys.stdout.buffer.flush()
        else:
            try:
                with open(output, "wb") as out:
                    service.export(params, fmt, out, notice)
            except CasebaseError:
                Path(output).unlink(missing_ok=True)  # no half-written file left behind
                raise


@cli.command("search")
@click.argument("query", required=False, default="")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="FIELD=KEY",
    help=f"{', '.join(FILTER_NAMES)}; repeatable.",
)
@click.option(
    "--sort",
    type=click.Choice(catalogue.SORT_KEYS),
    help=f"Default: {catalogue.DEFAULT_SORT_WITH_QUERY} with a query, "
    f"{catalogue.DEFAULT_SORT_WITHOUT_QUERY} without.",
)
@click.option(
    "--limit",
    type=click.IntRange(1, catalogue.MAX_PER_PAGE),
    default=catalogue.DEFAULT_PER_PAGE,
    show_default=True,
)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--exact", is_flag=True, help=EXACT_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the API's response body.")
def search_(
    query: str,
    filters: tuple[str, ...],
    sort: str | None,
    limit: int,
    page: int,
    exact: bool,
    as_json: bool,
) -> None:
    """Search the cases as the API does."""
    with _user_errors():
        params = _search_params(filters, query, sort, per_page=limit, page=page, exact=exact)
        found = _service().search(params)
    if as_json:
        body = SearchResponseSchema().dump(found)
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    _print_results(found)


def _print_results(found: SearchResult) -> None:
    did_you_mean = f" (did you mean: {found.suggestion})" if found.suggestion else ""
    click.echo(f"{found.total} cases{did_you_mean}")
    for expansion in found.expanded:
        click.echo(f"also searched for: {expansion.term} -> {', '.join(expansion.with_)}")
    for hit in found.results:
        years = "-".join(str(y) for y in (hit.start_year, hit.end_year) if y)
        places = ", ".join(hit.municipalities) or "landsdækkende"
        click.echo(f"{hit.ref}  {hit.title}  [{places}; {years or 'år ukendt'}]")


@cli.command()
def reindex() -> None:
    """Rebuild the search index from the database without disturbing running searches."""
    with _user_errors(), progress_bar("indexing") as progress:
        count = _service().reindex(progress)
    click.echo(f"index rebuilt: {count} cases")


@cli.command()
@click.option("--repair", is_flag=True, help="Rebuild the index when it differs.")
def check(repair: bool) -> None:
    """Compare the database and the index; exit 1 when they differ."""
    with _user_errors():
        comparison = _service().check(repair=repair)
    for line in comparison.lines():
        click.echo(line)
    if not comparison.agrees:
        click.echo(
            "database and index differ"
            + ("" if repair else " (casebase check --repair rebuilds the index)"),
            err=True,
        )
        sys.exit(EXIT_REJECTED)
    click.echo("database and index agree" + (" (repaired)" if repair else ""))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        _fail("no terminal to ask for the password on: use --password-stdin")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return password


@cli.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May write cases and import.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def user_create(name: str, admin: bool, password_stdin: bool) -> None:
    """Create a user; the password comes from a prompt or stdin."""
    password = _read_password(password_stdin)
    with _user_errors():
        _service().create_user(name, password, admin)
    click.echo(f"user '{name}' created" + (" (admin)" if admin else ""), err=True)


@user.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the new password from stdin.")
def user_password(name: str, password_stdin: bool) -> None:
    """Set a user's password; every login session of the user ends."""
    password = _read_password(password_stdin)
    with _user_errors():
        _service().set_password(name, password)
    click.echo(f"password of '{name}' changed; their login sessions have ended", err=True)


@cli.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("name")
def token_create(name: str) -> None:
    """Create an API token for a user; prints it once on stdout."""
    with _user_errors():
        new_token = _service().create_token(name)
    click.echo(new_token)
    click.echo("keep this token: it is not stored and cannot be shown again", err=True)


@token.command("revoke")
@click.argument("token_or_user")
def token_revoke(token_or_user: str) -> None:
    """Revoke a token (give the token), or every token of a user (give the name)."""
    with _user_errors():
        count = _service().revoke_token(token_or_user)
    click.echo(f"{count} token(s) revoked", err=True)


from . import cli_documents, cli_words  # noqa: E402, F401  # their commands join the group


def main() -> None:
    """Console-script entry point: one line on stderr for every error, never a traceback."""
    try:
        logs.configure()
        cli.main(prog_name="casebase", standalone_mode=False)
    except CasebaseError as error:  # a bad setting, read before any command ran
        _fail(error.message)
    except click.UsageError as error:
        command = error.ctx.command_path if error.ctx else "casebase"
        _fail(f"{error.format_message().rstrip('.')} (see '{command} --help')")
    except click.ClickException as error:
        _fail(error.format_message())
    except click.Abort:
        _fail("aborted", EXIT_REJECTED)
    except SQLAlchemyError as error:
        # A database that cannot be reached or is not initialised: one line, not a traceback.
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        _fail(
            f"database error: {reason} (is CASEBASE_DATABASE_URL right, and did "
            "`casebase init` run?)"
        )


# The commands that run casebase for real (serve, backup, restore) live beside this module;
# importing it registers them on `cli`.
from . import cli_ops  # noqa: E402, F401
