"""Property tests (Hypothesis): whatever a client sends, never a 500 and never a traceback, and
an import that does not go through writes nothing (docs/contract.md sections 6, 7 and 12).

Queries, random and mutated from real syntax, go to the search API and the search page; CSV,
JSON and XLSX, random and mutated from valid files, go to the importer through the API and
through the service the command line calls. The examples are derandomised, so a failure comes
back on every run (Hypothesis prints the example).
"""

from __future__ import annotations

import io
import json
import random
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import SAMPLES
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casebase import catalogue, get_service, store, vocabularies
from casebase.errors import CasebaseError
from casebase.services import Casebase

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUERY_PIECES = [
    "partnerskab",
    "byfornyelse",
    "Århus",
    "aa",
    '"',
    '"gode eksempler"',
    '"lokal"~3',
    "OR",
    "AND",
    "NOT",
    "-",
    "+",
    "*",
    "bolig*",
    "b*g",
    "title:",
    "titel:",
    "summary:",
    "foo:bar",
    "(",
    ")",
    "^2",
    "[a TO z]",
    "{",
    "}",
    "~",
    "\\",
    "'",
    ":",
    "\x00",
    "\u200b",
    "\u202e",
    "ﬁ",
    "İ",
    "😀",
    "%",
    "&",
    "<mark>",
    "<script>",
    " ",
    "\t",
    "\n",
]
PARAMETERS = [
    *catalogue.FACET_NAMES,
    *catalogue.YEAR_PARAMETERS,
    "sort",
    "page",
    "per_page",
    "exact",
    "q",
    "unknown",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1",
            "2",
            "100",
            "101",
            "999999999999",
            "1e3",
            "2014.0",
            "klima",
            "Klima",
            "Aarhus",
            "aarhus",
            "0751",
            "newest",
            "title",
            "TITLE",
            "relevance",
            "true",
            "nope",
        ]
    ),
    st.text(max_size=40),
)
# Every field a record has, and "municipality", which an import reads as one municipality.
FIELDS = [*vocabularies.RECORD_FIELDS, "municipality"]


def no_traceback(body: bytes) -> None:
    text = body.decode("utf-8", errors="replace")
    assert "Traceback" not in text and 'File "' not in text


queries = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(QUERY_PIECES), max_size=12).map(" ".join),
    st.lists(st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=5)), max_size=12).map(
        "".join
    ),
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the web's parsing only
@PROPERTY_SETTINGS
@given(q=queries, extra=st.lists(st.tuples(st.sampled_from(PARAMETERS), VALUES), max_size=4))
def test_no_search_is_a_500(seeded: Casebase, client: FlaskClient, q: str, extra: list) -> None:
    query = urllib.parse.urlencode([("q", q), *extra])
    answer = client.get(f"/api/cases?{query}")
    assert answer.status_code in (200, 400), (query, answer.status_code)
    assert answer.mimetype == "application/json"
    no_traceback(answer.data)
    if answer.status_code == 400:
        assert answer.get_json()["message"]
    page = client.get(f"/?{query}")
    assert page.status_code in (200, 400), (query, page.status_code)
    no_traceback(page.data)


# --- the importer ------------------------------------------------------------------------------


@pytest.fixture
def importing(app: Flask, service: Casebase) -> tuple[Flask, dict[str, str]]:
    """The app over a database holding one case (SQLite and PostgreSQL), with an admin's token."""
    service.create_case(
        {
            "ref": "kept",
            "title": "Den der bliver",
            "description": "Bliver stående.",
            "collaboration_forms": ["borgerinddragelse"],
            "themes": ["byrum"],
        },
        "test",
    )
    service.create_user("admin", "admin-password", admin=True)
    return app, {"Authorization": f"Bearer {service.create_token('admin')}"}


def state(service: Casebase) -> tuple[int, int]:
    """What a write would change: the newest change number and the number of cases."""
    with service.db.session() as session:
        return store.latest_seq(session), store.count_cases(session)


def upload(client: FlaskClient, headers: dict[str, str], name: str, data: bytes, query: str):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post(
        f"/api/imports?{query}",
        data=body,
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def check_import(app: Flask, headers: dict[str, str], name: str, data: bytes, tmp_path: Path):
    """Through the API and through the service: an answer, never a 500; nothing written unless
    the import went through with every record valid."""
    # Hypothesis seeds the global `random` alike for every example, and Whoosh names its
    # segment files with it: the same names again would overwrite a committed segment's files.
    random.seed()
    service = get_service(app)
    for query in ("on_error=abort", "on_error=abort&dry_run=true"):
        before = state(service)
        answer = upload(app.test_client(), headers, name, data, query)
        assert answer.status_code in (200, 400, 413), (answer.status_code, answer.data[:300])
        assert answer.mimetype == "application/json"
        no_traceback(answer.data)
        report = answer.get_json()
        through = answer.status_code == 200 and not report["rejected"] and not report["dry_run"]
        if not through:
            assert state(service) == before, report
    path = tmp_path / name
    path.write_bytes(data)
    before = state(service)
    try:
        report = service.import_files([path])
    except CasebaseError as error:
        assert error.message and "Traceback" not in error.message
        assert state(service) == before
        return
    if report.rejected or report.aborted:
        assert state(service) == before


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Each edit cuts `length` bytes at a position and puts others there."""
    for position, length, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + length :]
    return data


edits = st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 64), st.binary(max_size=16)), max_size=6
)
SAMPLE_FILES = [
    "utf8_bom_comma.csv",
    "excel_cp1252_semicolon.csv",
    "utf16le_tab.txt",
    "array.json",
    "lines.jsonl",
    "cases_object.json",
]


@PROPERTY_SETTINGS
@given(sample=st.sampled_from(SAMPLE_FILES), changes=edits)
def test_mutated_csv_and_json_files_never_500_nor_write_on_abort(
    importing: Any, tmp_path: Path, sample: str, changes: list
) -> None:
    app, headers = importing
    data = mutate((SAMPLES / sample).read_bytes(), changes)
    check_import(app, headers, sample, data, tmp_path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), children, max_size=6)
    ),
    max_leaves=20,
)
records = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=len(FIELDS))


@PROPERTY_SETTINGS
@given(
    body=st.one_of(
        st.lists(records, max_size=4),
        json_values,
        st.fixed_dictionaries({"cases": st.lists(records, max_size=4)}),
    )
)
def test_random_json_never_500_nor_writes_on_abort(
    importing: Any, tmp_path: Path, body: Any
) -> None:
    app, headers = importing
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    check_import(app, headers, "random.json", data, tmp_path)


cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "Aarhus",
            "klima|byrum",
            "borgerinddragelse",
            "2014",
            "2100",
            "1.250.000 kr.",
            "=1+1",
            "https://example.dk",
            "56,1",
            "",
            "afsluttet",
        ]
    ),
)


@PROPERTY_SETTINGS
@given(
    header=st.lists(st.sampled_from(FIELDS) | st.text(max_size=10), min_size=1, max_size=8),
    rows=st.lists(st.lists(cells, max_size=9), max_size=5),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)
def test_random_csv_never_500_nor_writes_on_abort(
    importing: Any, tmp_path: Path, header: list, rows: list, delimiter: str, encoding: str
) -> None:
    app, headers = importing
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    data = "\r\n".join(lines).encode(encoding, errors="replace")
    check_import(app, headers, "random.csv", data, tmp_path)


def workbook(header: list[str], rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def mutate_inside(data: bytes, part: str, changes: list) -> bytes:
    """A workbook whose one part (a sheet, the shared strings) has its bytes mutated."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, mutate(content, changes) if item.filename == part else content)
    return out.getvalue()


@PROPERTY_SETTINGS
@given(
    header=st.lists(st.sampled_from(FIELDS) | st.text(max_size=10), min_size=1, max_size=8),
    rows=st.lists(
        st.lists(cells | st.integers() | st.floats(allow_nan=False), max_size=9), max_size=4
    ),
    where=st.sampled_from(["none", "zip", "xl/worksheets/sheet1.xml", "[Content_Types].xml"]),
    changes=edits,
)
def test_random_and_mutated_xlsx_never_500_nor_write_on_abort(
    importing: Any, tmp_path: Path, header: list, rows: list, where: str, changes: list
) -> None:
    app, headers = importing
    try:
        data = workbook(header, rows)
    except (ValueError, TypeError, IllegalCharacterError):  # not a file anyone can have
        return
    if where == "zip":
        data = mutate(data, changes)
    elif where != "none":
        data = mutate_inside(data, where, changes)
    check_import(app, headers, "random.xlsx", data, tmp_path)
