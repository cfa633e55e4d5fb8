"""The `casebase` commands that run it for real: serve, backup, restore (docs/contract.md
sections 5 and 12). They are registered on `casebase.cli.cli`, whose helpers they share."""

from __future__ import annotations

import click

from . import logs, server
from .cli import EXIT_REJECTED, _fail, _service, _user_errors, cli
from .errors import CasebaseError, DatabaseNotEmpty


@cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_(file: str) -> None:
    """Write a consistent snapshot of the database to FILE (see docs/backup.md)."""
    with _user_errors():
        summary = _service().backup(file)
    click.echo(f"backup written to {file}: {summary.line()}")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
def restore(file: str) -> None:
    """Load a backup into an empty database and rebuild the search index."""
    with _user_errors():
        try:
            summary = _service().restore(file)
        except DatabaseNotEmpty as error:
            _fail(error.message, EXIT_REJECTED)
    click.echo(f"restored from {file}: {summary.line()}; search index rebuilt")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Processes."
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    help=f"Threads per process (default: CASEBASE_SERVER_THREADS, else {server.THREADS}).",
)
def serve(host: str, port: int, workers: int, threads: int | None) -> None:
    """Serve the web application: gunicorn's processes, each serving with waitress."""
    try:
        settings = server.settings()
        logs.configure(default_level="INFO")
    except CasebaseError as error:
        _fail(str(error))
    with _user_errors():
        service = _service()
        service.init_db()
        service.sync()  # build or catch up the index once, before the workers start
        service.close()
    server.exec_gunicorn(host, port, workers, threads or settings.threads)
