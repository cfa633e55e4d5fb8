"""The command line's words: `casebase analyse` and `casebase thesaurus export|import`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli import EXIT_REJECTED, _fail, _service, _user_errors, cli
from .engine.analysis import index_term
from .errors import ValidationFailed
from .thesaurus import read_file


@cli.command()
@click.argument("words", nargs=-1, required=True)
def analyse(words: tuple[str, ...]) -> None:
    """Show how words are split into compound parts and stemmed (for tuning the search).

    The split is the one the index makes: the lexicon's words and the corpus's own.
    """
    with _user_errors():
        split = _service().index.splitter()
    for typed in words:
        word = typed.lower().replace("aa", "å")
        parts = split.parts(word)
        shown = " + ".join(p + (f"({link})" if link else "") for p, link in parts)
        spans = ", ".join(f"{span} -> {index_term(span)}" for span in split.spans(word))
        click.echo(f"{typed}: stem {index_term(word) or '(stop word)'}")
        click.echo(f"  parts: {shown or '(not split)'}")
        if spans:
            click.echo(f"  also indexed: {spans}")


@cli.group()
def thesaurus() -> None:
    """The field's thesaurus: groups of equivalent terms a search also looks for."""


@thesaurus.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-")
def thesaurus_export(output: str) -> None:
    """Write the thesaurus in use as JSON (the format `thesaurus import` reads)."""
    with _user_errors():
        document = _service().thesaurus()
    document.pop("version", None)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")


@thesaurus.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
def thesaurus_import(file: str) -> None:
    """Replace the whole thesaurus with a file's (nothing changes when it has a problem)."""
    with _user_errors():
        raw = read_file(file)
        try:
            version = _service().replace_thesaurus(raw, user=None)
        except ValidationFailed as error:
            for field, messages in error.errors.items():
                for message in messages:
                    click.echo(f"{file}: {field}: {message}", err=True)
            _fail("the thesaurus was not changed", EXIT_REJECTED)
    groups = len(raw.get("groups") or []) if isinstance(raw, dict) else 0
    click.echo(f"thesaurus version {version}: {groups} groups", err=True)
