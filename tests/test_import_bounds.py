"""Imports stay bounded whatever the file: small reports, little memory, no endless reading.

Each hostile file is built here for real (the workbooks with zipfile, their XML written by
hand and streamed into the zip) and read by the real readers and the real importer.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import tracemalloc
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from casebase.errors import UnreadableFile
from casebase.importer import ImportLimits, ImportTimedOut
from casebase.readers import MAX_CELL_CHARS, ReadLimits, read_records
from casebase.services import Casebase

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{TYPES}.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{TYPES}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPES}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        '<sheets><sheet name="Sager" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}
HEADER = ("ref", "title", "description", "municipalities", "collaboration_forms", "themes")
GOOD = ("b-1", "En god sag", "Beskrivelse.", "Aarhus", "projektpartnerskab", "byrum")
MB = 1024 * 1024


def column(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def row_xml(number: int, cells: Iterable[str]) -> str:
    """A row of inline-string cells."""
    inline = "".join(
        f'<c r="{column(i)}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for i, text in enumerate(cells)
    )
    return f'<row r="{number}">{inline}</row>'


def write_xlsx(
    path: Path, sheet: Iterable[bytes], shared_strings: Iterable[bytes] = (b"<sst/>",)
) -> Path:
    """A workbook whose first sheet and shared strings are streamed into the zip in chunks."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        parts = (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared_strings))
        for name, chunks in parts:
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return path


def sheet(*rows: str, then: Iterable[str] = ()) -> Iterator[bytes]:
    """A worksheet of some rows, then more rows from an iterable, batched into chunks."""
    yield f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    yield "".join(rows).encode()
    batch: list[str] = []
    for row in then:
        batch.append(row)
        if len(batch) == 10_000:
            yield "".join(batch).encode()
            batch.clear()
    yield "".join(batch).encode()
    yield b"</sheetData></worksheet>"


def one_shared_string(chunks: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
    yield from chunks
    yield b"</t></si></sst>"


def incompressible(chars: int) -> Iterator[bytes]:
    """Random text (base64): it does not compress, so no ratio check can stop it."""
    while chars > 0:
        size = min(chars, MB)
        yield base64.b64encode(os.urandom(size))[:size]
        chars -= size


def peak_memory(work: Any) -> int:
    """The most memory Python allocated while work() ran (bytes)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refused(path: Path, limits: ReadLimits | None = None) -> str:
    with pytest.raises(UnreadableFile) as raised:
        list(read_records(path, limits=limits))
    message = raised.value.message
    assert "\n" not in message and len(message) < 400, message
    return message


# --- XLSX: sizes checked before openpyxl reads anything ------------------------------------------


def test_a_zip_bomb_of_one_huge_shared_string_is_refused_with_little_memory(
    tmp_path: Path,
) -> None:
    block = b"A" * MB
    path = write_xlsx(
        tmp_path / "bomb.xlsx",
        sheet(row_xml(1, HEADER), row_xml(2, GOOD)),
        one_shared_string(block for _ in range(400)),  # 400 MB packed into about 400 KB
    )
    assert path.stat().st_size < 1 * MB
    messages: list[str] = []
    peak = peak_memory(lambda: messages.append(refused(path)))
    assert "zip bomb" in messages[0] and messages[0].startswith(f"{path}: ")
    assert peak < 5 * MB


def test_a_shared_string_over_excels_cell_limit_is_refused_without_being_held(
    tmp_path: Path,
) -> None:
    path = write_xlsx(
        tmp_path / "long.xlsx",
        sheet(row_xml(1, HEADER), row_xml(2, GOOD)),
        one_shared_string(incompressible(20 * MB)),
    )
    messages: list[str] = []
    peak = peak_memory(lambda: messages.append(refused(path)))
    assert "longer than 32,767 characters" in messages[0]
    assert peak < 5 * MB  # the 20 MB string is never held whole


def test_an_inline_cell_over_excels_cell_limit_is_refused(tmp_path: Path) -> None:
    long_cell = "x" * (MAX_CELL_CHARS + 1)
    path = write_xlsx(
        tmp_path / "inline.xlsx", sheet(row_xml(1, HEADER), row_xml(2, ("b-2", long_cell)))
    )
    assert "longer than 32,767 characters" in refused(path)


def test_a_cell_of_excels_full_length_is_read(tmp_path: Path) -> None:
    full = "æ" * MAX_CELL_CHARS
    path = write_xlsx(
        tmp_path / "full.xlsx",
        sheet(
            row_xml(1, HEADER),
            row_xml(2, ("b-3", "Titel")),
            '<row r="3"><c r="C3" t="s"><v>0</v></c></row>',
        ),
        one_shared_string([full.encode()]),
    )
    records = list(read_records(path))
    assert [r.row for r in records] == [2, 3]
    assert records[1].data == {"description": full}


def test_a_workbook_that_unpacks_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "big.xlsx",
        sheet(row_xml(1, HEADER), row_xml(2, GOOD)),
        one_shared_string(incompressible(3 * MB)),
    )
    message = refused(path, ReadLimits(max_xlsx_bytes=2 * MB))
    assert "more than 2 MB" in message


# --- rows: endless empty rows end the sheet, and rows are counted ------------------------------


def test_a_workbook_of_millions_of_empty_rows_is_refused_before_openpyxl_reads_it(
    tmp_path: Path,
) -> None:
    # openpyxl parses a whole sheet at once when it does not state its size (<dimension>).
    empty_rows = (f'<row r="{n}"/>' for n in range(3, 3_000_003))
    path = write_xlsx(
        tmp_path / "empty.xlsx",
        sheet(row_xml(1, HEADER), row_xml(2, GOOD), then=empty_rows),
    )
    assert path.stat().st_size < 10 * MB
    messages: list[str] = []
    peak = peak_memory(lambda: messages.append(refused(path)))
    assert "more than 1,048,576 rows" in messages[0]
    assert peak < 5 * MB


def test_a_long_run_of_empty_rows_ends_the_sheet(tmp_path: Path) -> None:
    empty_rows = (f'<row r="{n}"/>' for n in range(3, 20_003))
    path = write_xlsx(
        tmp_path / "empty.xlsx",
        sheet(
            row_xml(1, HEADER),
            row_xml(2, GOOD),
            then=itertools.chain(empty_rows, [row_xml(20_003, ("after-the-gap",))]),
        ),
    )
    # The reading ends in the empty rows: the row after them is never reached.
    assert [r.row for r in read_records(path)] == [2]


def test_a_run_of_empty_rows_shorter_than_the_limit_is_read_past(tmp_path: Path) -> None:
    empty_rows = (f'<row r="{n}"/>' for n in range(3, 9_003))
    path = write_xlsx(
        tmp_path / "empty.xlsx",
        sheet(
            row_xml(1, HEADER),
            row_xml(2, GOOD),
            then=itertools.chain(empty_rows, [row_xml(9_003, ("after-the-gap",))]),
        ),
    )
    assert [r.row for r in read_records(path)] == [2, 9_003]


def test_a_gap_in_the_row_numbers_ends_the_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "gap.xlsx",
        sheet(row_xml(1, HEADER), row_xml(2, GOOD), row_xml(1_048_576, ("far-below",))),
    )
    assert [r.row for r in read_records(path)] == [2]


def test_empty_rows_before_any_header_are_not_read_forever(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "no-header.xlsx", sheet(row_xml(2_000_000, HEADER), row_xml(2_000_001, GOOD))
    )
    assert "no header row" in refused(path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_rows_beyond_the_limit_are_refused(tmp_path: Path, fmt: str) -> None:
    rows = [HEADER, *[(f"r-{n}", "Titel") for n in range(12)]]
    if fmt == "csv":
        path = tmp_path / "rows.csv"
        path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    else:
        xml = [row_xml(n, row) for n, row in enumerate(rows, start=1)]
        path = write_xlsx(tmp_path / "rows.xlsx", sheet(*xml))
    assert len(list(read_records(path, limits=ReadLimits(max_rows=13)))) == 12
    message = refused(path, ReadLimits(max_rows=10))
    assert "more than 10 rows" in message


# --- JSON: nesting depth -----------------------------------------------------------------------


DEEP = 1_000_000


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("array.json", "[" * DEEP + "]" * DEEP),
        ("record.json", '[{"ref": "x", "links": ' + "[" * DEEP + "]" * DEEP + "}]"),
        ("object.json", '{"cases": [], "other": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}"),
        ("lines.jsonl", '{"ref": "x"}\n{"a": ' + "[" * DEEP + "]" * DEEP + "}\n"),
        ("first.jsonl", '{"a": ' * DEEP + "1" + "}" * DEEP + "\n"),
        ("just-over.json", '[{"ref": "x", "links": ' + "[" * 99 + "]" * 99 + "}]"),
    ],
    ids=lambda value: value if len(value) < 20 else "",
)
def test_json_nested_too_deep_is_unreadable_in_one_line(
    tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert "nested more than 100 levels deep" in refused(path)


def test_json_nested_to_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    # The array, the record and 98 lists in its links: 100 levels.
    path.write_text('[{"ref": "x", "links": ' + "[" * 98 + "]" * 98 + "}]", encoding="utf-8")
    assert len(list(read_records(path))) == 1


@pytest.mark.parametrize("name", ["a.json", "a.jsonl"])
def test_a_number_too_long_to_convert_is_unreadable(tmp_path: Path, name: str) -> None:
    line = '{"ref": "x", "budget_dkk": ' + "1" * 5000 + "}"
    path = tmp_path / name
    path.write_text(line + "\n" if name.endswith("l") else f"[{line}]", encoding="utf-8")
    assert "a number too long to read (over 4,300 digits)" in refused(path)


# --- echoes: values in messages are cut ---------------------------------------------------------


def test_a_header_of_huge_unknown_names_is_echoed_cut(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(("x" * MB + ";") * 3 + "\nA;B;C\n", encoding="utf-8")
    message = refused(path)
    assert "header row names none of the record's fields" in message
    path.write_text("ref;" + "y" * MB + "\nr-1;z\n", encoding="utf-8")
    with read_records(path) as reader:
        list(reader)
    assert [len(name) for name in reader.ignored_columns] == [200]
    assert reader.ignored_columns[0].endswith("…")


# --- the importer: cut echoes, bounded error lists, a deadline ----------------------------------


def csv_file(path: Path, rows: Iterable[Iterable[str]]) -> Path:
    lines = (";".join(cells) for cells in [HEADER, *rows])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_huge_ref_gives_a_small_report_with_cut_values(service: Casebase, tmp_path: Path) -> None:
    huge_ref, huge_place = "r" * (5 * MB), "Atlantis" * (MB // 2)
    path = csv_file(tmp_path / "huge.csv", [(huge_ref, "Titel", "Tekst", huge_place, "x", "y")])
    report = service.import_files([path])
    body = json.dumps(report.as_dict(), ensure_ascii=False)
    assert len(body) < 5_000
    assert report.rejected == 1 and report.errors_total == len(report.errors) >= 4
    for error in report.errors:
        assert error["ref"] == "r" * 199 + "…"
        assert len(error["message"]) < 400
    place = next(e for e in report.errors if e["field"] == "municipalities")
    assert place["message"].startswith("Unknown municipality '" + "Atlantis" * 24)
    assert "…'" in place["message"]
    assert service.case_count() == 0


def test_many_bad_records_list_at_most_the_limit_and_count_them_all(
    service: Casebase, tmp_path: Path
) -> None:
    bad = [
        (f"bad-{n}", "Ti", "Tekst", "Atlantis", "projektpartnerskab", "byrum") for n in range(30)
    ]
    path = csv_file(tmp_path / "bad.csv", [GOOD, *bad])
    report = service.import_files([path], limits=ImportLimits(max_errors=5))
    assert (report.rejected, report.errors_total, len(report.errors)) == (30, 60, 5)
    assert [e["row"] for e in report.errors] == [3, 3, 4, 4, 5]
    assert report.as_dict()["errors_total"] == 60
    unlimited = service.import_files([path], dry_run=True)
    assert len(unlimited.errors) == unlimited.errors_total == 60  # under the default of 1000
    assert service.case_count() == 0


def test_the_default_limit_lists_a_thousand_errors(service: Casebase, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "many.csv", [(f"m-{n}",) for n in range(1200)])
    report = service.import_files([path], dry_run=True)
    assert report.errors_total > 1200 and len(report.errors) == 1000


def test_an_import_past_its_deadline_is_stopped_and_writes_nothing(
    service: Casebase, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "slow.csv", [GOOD])
    with pytest.raises(ImportTimedOut, match="took longer than 0 s"):
        service.import_files([path], limits=ImportLimits(timeout_s=0))
    assert service.case_count() == 0
    assert service.import_files([path]).created == 1  # without a deadline it goes through


def test_the_deadline_stops_the_check_of_a_workbook_too(service: Casebase, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "long.xlsx",
        sheet(row_xml(1, HEADER), row_xml(2, GOOD)),
        one_shared_string(incompressible(MAX_CELL_CHARS + 1)),
    )
    with pytest.raises(UnreadableFile, match="longer than 32,767 characters"):
        service.import_files([path])
    # Past the deadline, the check stops before it has read the long text.
    with pytest.raises(ImportTimedOut):
        service.import_files([path], limits=ImportLimits(timeout_s=0))
