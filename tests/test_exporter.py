"""Exports: each format reads back, through casebase.readers, to the records exported."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from casebase.errors import CasebaseError
from casebase.exporter import COLUMNS, content_type, export_filename, write_export
from casebase.readers import FORMATS, read_records

TRICKY = [
    {
        "ref": "tricky-1",
        "title": "=SUM(1)",
        "summary": "-minus først",
        "description": 'Første linje\nAnden linje med "citat", komma og æøå ÆØÅ\n\nTredje',
        "results": "'=allerede beskyttet",
        "municipalities": ["København", "Aarhus"],
        "regions": ["hovedstaden", "midtjylland"],
        "start_year": 2015,
        "end_year": None,
        "status": "afsluttet",
        "collaboration_forms": ["projektpartnerskab", "borgerinddragelse"],
        "actors": [],
        "themes": ["byrum"],
        "budget_dkk": 0,
        "public_funding_dkk": 1250000,
        "private_funding_dkk": None,
        "funders": ["+Fonden", "@Realdania", "Landsbyggefonden"],
        "contact_org": "@kommune",
        "links": [
            {"title": "Rapport (pdf)", "url": "https://example.dk/rapport.pdf"},
            {"title": "https://example.dk/", "url": "https://example.dk/"},
        ],
        "latitude": 55.676098,
        "longitude": 12.568337,
        "version": 3,
        "created_at": "2024-01-01T12:00:00",
        "updated_at": "2024-02-01T12:00:00",
    },
    {
        "ref": "tricky-2",
        "title": "Kun det nødvendige",
        "description": "Ingen valgfrie felter.",
        "collaboration_forms": ["tvaerkommunalt"],
        "themes": ["landdistrikter", "klima"],
    },
    {
        "ref": "tricky-3",
        "title": "#N/A er ikke en fejl",
        "description": "Mellemrum  inde i  teksten bevares.",
        "results": "Tab\tog semikolon; og komma, i teksten",
        "municipalities": ["Ærø"],
        "collaboration_forms": ["foreninger-og-frivillige"],
        "themes": ["kultur-og-fritid"],
        "end_year": 2030,
        "latitude": 54.88,
        "longitude": 10.41,
        "links": [{"title": "Øens side", "url": "http://aeroe.example.dk/a?b=c&d=e"}],
    },
]

SYSTEM = ("regions", "version", "created_at", "updated_at")


def importable(record: dict[str, Any]) -> dict[str, Any]:
    """What import should read back: no system fields, no absent values."""
    return {k: v for k, v in record.items() if k not in SYSTEM and v not in (None, "", [])}


def export(tmp_path: Path, fmt: str, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / export_filename(fmt)
    with path.open("wb") as out:
        write_export(iter(records), fmt, out)
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_reads_back_to_the_same_records(tmp_path: Path, fmt: str) -> None:
    path = export(tmp_path, fmt, TRICKY)
    reader = read_records(path)
    assert reader.format == fmt
    assert [record.data for record in reader] == [importable(r) for r in TRICKY]
    assert reader.ignored_columns == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_export_reads_back_to_nothing(tmp_path: Path, fmt: str) -> None:
    path = export(tmp_path, fmt, [])
    if fmt == "jsonl":
        assert path.read_bytes() == b""  # an empty JSON Lines file: import says it is empty
    else:
        assert list(read_records(path)) == []


def test_json_is_a_utf8_array_without_absent_values(tmp_path: Path) -> None:
    raw = export(tmp_path, "json", TRICKY).read_bytes()
    assert "æøå".encode() in raw  # not \u00e6 escapes
    assert json.loads(raw)[1] == {
        "ref": "tricky-2",
        "title": "Kun det nødvendige",
        "description": "Ingen valgfrie felter.",
        "collaboration_forms": ["tvaerkommunalt"],
        "themes": ["landdistrikter", "klima"],
    }
    assert export(tmp_path, "json", []).read_bytes() == b"[]\n"


def test_jsonl_is_one_object_per_line(tmp_path: Path) -> None:
    lines = export(tmp_path, "jsonl", TRICKY).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["ref"] for line in lines] == ["tricky-1", "tricky-2", "tricky-3"]


def test_csv_is_excel_shaped(tmp_path: Path) -> None:
    raw = export(tmp_path, "csv", TRICKY).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfref;title;summary;description;results;municipalities;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == list(COLUMNS)
    first = rows[0]
    assert first["title"] == "'=SUM(1)"
    assert first["summary"] == "'-minus først"
    assert first["results"] == "''=allerede beskyttet"
    assert first["funders"] == "'+Fonden|@Realdania|Landsbyggefonden"
    assert first["contact_org"] == "'@kommune"
    assert first["municipalities"] == "København|Aarhus"
    assert first["links"] == "https://example.dk/rapport.pdf | https://example.dk/"
    assert first["link_titles"] == "Rapport (pdf) | https://example.dk/"
    assert (first["budget_dkk"], first["public_funding_dkk"]) == ("0", "1250000")
    assert (first["end_year"], first["private_funding_dkk"], first["actors"]) == ("", "", "")
    assert first["latitude"] == "55.676098"
    assert not {"regions", "version", "created_at", "updated_at"} & set(first)


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(export(tmp_path, "xlsx", TRICKY))
    sheet = workbook["Cases"]
    assert workbook.sheetnames == ["Cases"]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    header = {cell.value: cell.column_letter for cell in sheet[1]}
    title = sheet[f"{header['title']}2"]
    assert (title.value, title.data_type) == ("=SUM(1)", "s")  # never a formula
    error_like = sheet[f"{header['title']}4"]
    assert (error_like.value, error_like.data_type) == ("#N/A er ikke en fejl", "s")
    budget = sheet[f"{header['public_funding_dkk']}2"]
    assert (budget.value, budget.data_type) == (1250000, "n")
    assert sheet[f"{header['latitude']}2"].value == 55.676098
    assert sheet[f"{header['end_year']}2"].value is None
    workbook.close()


def test_xlsx_drops_characters_xml_cannot_hold(tmp_path: Path) -> None:
    record = {"ref": "a", "title": "Bell\x07 and\x0b tab", "description": "x"}
    path = export(tmp_path, "xlsx", [record])
    assert [r.data["title"] for r in read_records(path)] == ["Bell and tab"]


PIPES = {
    "ref": "pipes",
    "title": "Rør | og kabler",  # not a list: written as it is
    "description": "Første linje\r\nanden linje\rtredje\r\n\r\nfjerde",
    "funders": ["Fond A | del 2", "|", "C:\\sti\\", "B\\|ikke escaped", "Slut\\"],
    "themes": ["byrum"],
    "links": [
        {"title": "Titel | med pipe", "url": "http://x.dk/%C3%A6?q=a|b"},
        {"title": "Slutter med \\", "url": "https://z.dk/|"},
        {"title": "https://y.dk/", "url": "https://y.dk/"},
    ],
}


def newlines_normalised(data: dict[str, Any]) -> dict[str, Any]:
    """As the record schema stores text: CRLF and CR as LF (the readers leave it to it)."""
    return {
        key: value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value
        for key, value in data.items()
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_pipes_backslashes_and_crlf_read_back(tmp_path: Path, fmt: str) -> None:
    (record,) = [r.data for r in read_records(export(tmp_path, fmt, [PIPES]))]
    assert newlines_normalised(record) == newlines_normalised(importable(PIPES))
    assert record["funders"][0] == "Fond A | del 2"
    assert record["links"][0] == {"title": "Titel | med pipe", "url": "http://x.dk/%C3%A6?q=a|b"}


def test_csv_escapes_a_pipe_inside_a_list_value(tmp_path: Path) -> None:
    raw = export(tmp_path, "csv", [PIPES]).read_bytes().decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(raw[raw.index("\n") + 1 :]), COLUMNS, delimiter=";"))
    assert row["title"] == "Rør | og kabler"
    assert row["funders"] == "Fond A \\| del 2|\\||C:\\sti\\ |B\\\\|ikke escaped|Slut\\"
    assert row["links"] == "http://x.dk/%C3%A6?q=a\\|b | https://z.dk/\\| | https://y.dk/"
    assert row["link_titles"] == "Titel \\| med pipe | Slutter med \\ | https://y.dk/"


def test_a_cell_longer_than_csvs_own_limit_reads_back(tmp_path: Path) -> None:
    record = {"ref": "long", "description": "æ" * 200_000 + "\r\nslut", "funders": ["x" * 150_000]}
    (data,) = [r.data for r in read_records(export(tmp_path, "csv", [record]))]
    assert newlines_normalised(data) == newlines_normalised(record)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_long_record_reads_back_from_json(tmp_path: Path, fmt: str) -> None:
    record = {"ref": "long", "description": "æ" * 200_000}
    reader = read_records(export(tmp_path, fmt, [record, TRICKY[1]]))
    assert reader.format == fmt
    assert [r.data for r in reader] == [record, importable(TRICKY[1])]


@pytest.mark.parametrize(
    ("record", "column", "length"),
    [
        ({"ref": "long", "description": "x" * 32_768}, "description", "32,768"),
        ({"ref": "emoji", "description": "\U0001f600" * 16_384}, "description", "32,768"),
        ({"ref": "many", "funders": ["y" * 20_000, "z" * 20_000]}, "funders", "40,001"),
    ],
)
def test_xlsx_refuses_a_cell_excel_cannot_hold(
    tmp_path: Path, record: dict[str, Any], column: str, length: str
) -> None:
    out = io.BytesIO()
    message = (
        f"case '{record['ref']}': {column} is {length} characters long, "
        "but an XLSX cell holds at most 32,767; export as CSV or JSON instead"
    )
    with pytest.raises(CasebaseError, match=re.escape(message)):
        write_export([TRICKY[1], record], "xlsx", out)
    assert out.getvalue() == b""  # nothing half written


def test_xlsx_takes_a_cell_of_exactly_excels_limit(tmp_path: Path) -> None:
    record = {"ref": "full", "description": "x" * 32_767}
    (data,) = [r.data for r in read_records(export(tmp_path, "xlsx", [record]))]
    assert data == record


def test_csv_leaves_the_output_open(tmp_path: Path) -> None:
    out = io.BytesIO()
    write_export([TRICKY[1]], "csv", out)
    assert not out.closed
    assert out.getvalue().count(b"\r\n") == 2


@pytest.mark.parametrize(
    ("fmt", "filename", "mimetype"),
    [
        ("csv", "casebase-export.csv", "text/csv; charset=utf-8"),
        ("json", "casebase-export.json", "application/json"),
        ("jsonl", "casebase-export.jsonl", "application/x-ndjson"),
        (
            "xlsx",
            "casebase-export.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_filename_and_content_type(fmt: str, filename: str, mimetype: str) -> None:
    assert (export_filename(fmt), content_type(fmt)) == (filename, mimetype)


@pytest.mark.parametrize("call", [export_filename, content_type])
def test_unknown_format_is_a_usage_error(call: Any) -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        call("xml")
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        write_export([], "xml", io.BytesIO())
