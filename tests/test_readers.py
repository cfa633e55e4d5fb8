"""The file layer of imports: samples in tests/samples read to known RawRecords, or fail clearly."""

from __future__ import annotations

import gc
import json
import runpy
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from casebase.errors import UnreadableFile
from casebase.readers import FORMATS, RawRecord, detect_format, read_records

SAMPLES = Path(__file__).parent / "samples"

CP1252_1 = {
    "ref": "cp1252-1",
    "title": "Partnerskab om Byens Ø",
    "summary": "Grøn omdannelse af havnen",
    "description": "Kommunen og boligforeningen indgik et partnerskab.\n"
    "Beboerne deltog i workshops om gårdrum; æbler og pærer.",
    "municipalities": ["Københavns Kommune"],
    "start_year": 2014,
    "end_year": 2017,
    "status": "Afsluttet",
    "collaboration_forms": ["Projektpartnerskab", "Borgerinddragelse og samskabelse"],
    "actors": ["Kommune", "Borgere"],
    "themes": ["Områdefornyelse", "Byrum og friarealer"],
    "budget_dkk": 1250000,
    "public_funding_dkk": 1000000,
    "funders": ["Realdania", "Landsbyggefonden"],
    "links": [
        {"title": "Projektside", "url": "https://example.dk/byens-oe"},
        {"title": "Evaluering", "url": "https://example.dk/rapport.pdf"},
    ],
    "latitude": 55.676,
    "longitude": 12.568,
}
CP1252_2 = {
    "ref": "cp1252-2",
    "title": "Forsamlingshuset på Ærø",
    "description": "Frivillige og kommunen istandsatte forsamlingshuset.",
    "municipalities": ["Ærø"],
    "start_year": 2019,
    "collaboration_forms": ["Samarbejde med foreninger og frivillige"],
    "actors": ["Foreninger"],
    "themes": ["Landsbyer og landdistrikter"],
    "budget_dkk": 300000,
}
UTF8BOM_1 = {
    "ref": "utf8bom-1",
    "title": "Gårdhaver, grønne tage og regnvand",
    "description": "Beboere, boligselskab og kommune samarbejdede om klimatilpasning.",
    "municipalities": ["Aarhus", "Skanderborg"],
    "start_year": 2016,
    "end_year": 2018,
    "collaboration_forms": ["Partnership with housing associations"],
    "actors": ["Housing associations", "Residents"],
    "themes": ["Climate and sustainability"],
    "budget_dkk": 1250000,
    "private_funding_dkk": 1250000,
    "contact_org": "Brabrand Boligforening",
    "latitude": 56.15,
    "longitude": 10.2,
}
UTF8BOM_2 = {
    "ref": "utf8bom-2",
    "title": "Tryghedsvandringer i Vollsmose",
    "summary": "Kort resumé",
    "description": 'Politi, boligsociale medarbejdere og beboere gik "tryghedsvandringer".',
    "municipalities": ["Odense"],
    "start_year": 2012,
    "end_year": 2013,
    "collaboration_forms": ["Social partnership with businesses"],
    "themes": ["Safety", "Social housing initiatives"],
}
TAB_1 = {
    "ref": "tab-1",
    "title": "Strategisk byudvikling i Køge",
    "description": "Køge Kyst: et strategisk partnerskab mellem kommune og Realdania.",
    "municipalities": ["Køge"],
    "start_year": 2009,
    "status": "igangvaerende",
    "collaboration_forms": ["strategisk-partnerskab"],
    "themes": ["omraadefornyelse", "bymidter"],
    "budget_dkk": 1250000,
    "links": [
        {"title": "https://example.dk/koege-kyst", "url": "https://example.dk/koege-kyst"},
        {"title": "https://example.dk/plan", "url": "https://example.dk/plan"},
    ],
}
TAB_2 = {
    "ref": "tab-2",
    "title": "Tværkommunalt samarbejde om landsbyer",
    "description": "Fire kommuner deler erfaringer.",
    "municipalities": ["Lolland", "Guldborgsund"],
    "start_year": 2020,
    "collaboration_forms": ["tvaerkommunalt"],
    "themes": ["landdistrikter"],
    "budget_dkk": 2000000,
}
UTF16_1 = {
    "title": "Byfornyelse på Nørrebro",
    "ref": "utf16-1",
    "description": 'Helhedsorienteret byfornyelse.\nMed "Supertanker" som proces.',
    "municipalities": ["København"],
    "start_year": 2011,
    "collaboration_forms": ["Borgerinddragelse og samskabelse"],
    "themes": ["Områdefornyelse", "Byrum og friarealer"],
    "budget_dkk": 1250000,
}
UTF16_2 = {
    "title": "Sønderborg bymidte",
    "ref": "utf16-2",
    "description": "Handel og erhverv i bymidten.",
    "municipalities": ["Sønderborg"],
    "start_year": 2015,
    "collaboration_forms": ["Offentlig-privat partnerskab"],
    "themes": ["Bymidter, handel og erhverv"],
}
XLSX_1 = {
    "ref": "xlsx-1",
    "title": "Grønne gårde i Aalborg Øst",
    "description": "Gårdene blev fornyet.\nBeboerne var med.",
    "municipalities": ["Aalborg"],
    "start_year": 2015,
    "end_year": 2018,
    "collaboration_forms": ["projektpartnerskab"],
    "themes": ["Boligsociale indsatser", "Byrum og friarealer"],
    "budget_dkk": 1250000,
    "latitude": 57.03,
    "longitude": 9.95,
    "links": [{"title": "Projektside", "url": "https://example.dk/aalborg"}],
}
XLSX_4 = {
    "ref": "1004",
    "title": "-Haller til kultur i Holstebro",
    "description": "Gamle haller bruges til kultur.",
    "municipalities": ["Holstebro"],
    "start_year": 2019,
    "collaboration_forms": ["Projektpartnerskab"],
    "themes": ["kultur-og-fritid"],
    "budget_dkk": 500000,
    "latitude": 56.36,
    "longitude": 8.62,
}
JSON_1 = {
    "ref": "json-1",
    "title": "Partnerskab om Sydhavnen",
    "description": "Kommune, grundejere og investorer udviklede Sydhavnen sammen.",
    "municipalities": ["København"],
    "start_year": 2016,
    "collaboration_forms": ["offentlig-privat-partnerskab"],
    "actors": ["kommune", "grundejere", "investorer"],
    "themes": ["omraadefornyelse"],
    "budget_dkk": 1250000,
    "links": [{"title": "Projektet", "url": "https://example.dk/sydhavn"}],
    "latitude": 55.65,
    "longitude": 12.54,
}
JSON_2 = {
    "ref": "json-2",
    "title": "Sundhedshus i Nakskov",
    "summary": "Æ, ø og å – og “citater”.",
    "description": "Et sundhedshus i bymidten.",
    "municipalities": ["Lolland"],
    "end_year": 2021,
    "collaboration_forms": ["projektpartnerskab"],
    "themes": ["sundhed", "bymidter"],
    "private_funding_dkk": 0,
    "funders": ["Realdania"],
}
OBJECT_1 = {
    "ref": "object-1",
    "title": "Boligsocial helhedsplan i Gellerup",
    "description": "Omdannelse af Gellerupparken.",
    "municipalities": ["Aarhus"],
    "collaboration_forms": ["boligorganisation", "strategisk-partnerskab"],
    "themes": ["boligsocial", "omdannelse"],
}
OBJECT_2 = {
    "ref": "object-2",
    "title": "Havnebad i Vejle",
    "description": "Et havnebad bygget af frivillige.",
    "municipalities": ["Vejle"],
    "collaboration_forms": ["foreninger-og-frivillige"],
    "themes": ["kultur-og-fritid"],
}
JSONL_1 = {
    "ref": "jsonl-1",
    "title": "Bygningsfornyelse i Ribe",
    "description": "Bevaring af gamle købmandsgårde.",
    "municipalities": ["Esbjerg"],
    "collaboration_forms": ["privat-investering"],
    "themes": ["kulturarv", "bygningsfornyelse"],
}
JSONL_2 = {
    "ref": "jsonl-2",
    "title": "Trafiksikre skoleveje",
    "description": "Skoleveje i Hjørring.",
    "municipalities": ["Hjørring"],
    "collaboration_forms": ["borgerinddragelse"],
    "themes": ["mobilitet", "tryghed"],
}
JSONL_4 = {
    "ref": "jsonl-3",
    "title": "Erhvervsskole i Thisted",
    "description": "Uddannelse og job.",
    "municipalities": ["Thisted"],
    "collaboration_forms": ["socialt-partnerskab"],
    "themes": ["beskaeftigelse"],
    "start_year": 2022,
}


def bad(ref: str, title: str, description: str, municipality: str, form: str, theme: str) -> dict:
    return {
        "ref": ref,
        "title": title,
        "description": description,
        "municipalities": [municipality],
        "collaboration_forms": [form],
        "themes": [theme],
    }


READABLE = {
    "excel_cp1252_semicolon.csv": ("csv", [(2, CP1252_1), (3, CP1252_2)], ["Noter"]),
    "utf8_bom_comma.csv": ("csv", [(2, UTF8BOM_1), (3, UTF8BOM_2)], []),
    "utf8_tab.csv": ("csv", [(2, TAB_1), (3, TAB_2)], []),
    "utf16le_tab.txt": ("csv", [(2, UTF16_1), (3, UTF16_2)], []),
    "workbook.xlsx": ("xlsx", [(2, XLSX_1), (4, XLSX_4)], []),
    "array.json": ("json", [(1, JSON_1), (2, JSON_2)], []),
    "cases_object.json": ("json", [(1, OBJECT_1), (2, OBJECT_2)], []),
    "lines.jsonl": ("jsonl", [(1, JSONL_1), (2, JSONL_2), (4, JSONL_4)], []),
    "empty_array.json": ("json", [], []),
    "bad_municipality.csv": (
        "csv",
        [
            (
                2,
                bad(
                    "bad-1",
                    "Byhaver i Aarhus",
                    "Beboere dyrker grøntsager sammen.",
                    "Aarhus",
                    "borgerinddragelse",
                    "byrum",
                ),
            ),
            (
                3,
                bad(
                    "bad-2",
                    "Kulturhus i København",
                    "Et nyt kulturhus.",
                    "Københaven",
                    "projektpartnerskab",
                    "kultur-og-fritid",
                ),
            ),
            (
                4,
                bad(
                    "bad-3",
                    "Stier i Aarhus",
                    "Nye stier langs åen.",
                    "Aarhus",
                    "projektpartnerskab",
                    "mobilitet",
                ),
            ),
        ],
        [],
    ),  # fmt: skip
}

UNREADABLE = {
    "empty.csv": "the file is empty",
    "bom_only.csv": "the file is empty",
    "truncated.json": r"not valid JSON: the file ends inside .* \(truncated\?\) at line 2",
    "noise.csv": r"not a text file \(binary content\)",
    "not_a_workbook.xlsx": r"not an Excel workbook \(\.xlsx\)",
    "no_known_header.csv": r"header row names none of the record's fields \(found: foo, bar, baz\)",
    "jsonl_not_object.jsonl": "line 2 is not a JSON object",
}


def read(path: Path, fmt: str = "auto") -> list[tuple[int, dict[str, Any]]]:
    return [(record.row, record.data) for record in read_records(path, fmt)]


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


@pytest.mark.parametrize("name", sorted(READABLE))
def test_sample_reads_to_expected_records(name: str) -> None:
    fmt, expected, ignored = READABLE[name]
    reader = read_records(SAMPLES / name)
    assert reader.format == fmt
    assert list(reader) == [RawRecord(row, data) for row, data in expected]
    assert reader.ignored_columns == ignored


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_sample_is_unreadable_with_a_clear_message(name: str) -> None:
    path = SAMPLES / name
    with pytest.raises(UnreadableFile, match=UNREADABLE[name]) as raised:
        list(read_records(path))
    assert raised.value.message.startswith(f"{path}: ")
    assert "\n" not in raised.value.message


def test_samples_match_their_generator(tmp_path: Path) -> None:
    runpy.run_path(str(SAMPLES / "make_samples.py"))["make_samples"](tmp_path)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in SAMPLES.iterdir() if p.suffix not in (".py", ".md"))
    for name in made:
        if name.endswith(".xlsx") and zipfile.is_zipfile(tmp_path / name):
            assert read(tmp_path / name) == read(SAMPLES / name)  # the zip holds timestamps
        else:
            assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match=r"nope\.csv: no such file"):
        read_records(tmp_path / "nope.csv")


def test_upfront_checks_raise_before_iteration() -> None:
    for name in ("empty.csv", "noise.csv", "not_a_workbook.xlsx", "no_known_header.csv"):
        with pytest.raises(UnreadableFile):
            read_records(SAMPLES / name)


def test_name_replaces_the_path_in_messages() -> None:
    with pytest.raises(UnreadableFile, match=r"^upload\.csv: the file is empty$"):
        read_records(SAMPLES / "empty.csv", name="upload.csv")


# --- format detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("cases.csv", '[{"ref": "a"}]', "json"),  # content before extension
        ("cases.txt", '{\n  "cases": []\n}\n', "json"),
        ("cases.json", '{"cases": []}\n', "json"),
        ("cases.json", '{"ref": "a"}\n{"ref": "b"}\n', "jsonl"),
        ("cases.json", '{"ref": "a"}', "jsonl"),
        ("cases", '{"ref": "a", "title": "x', "json"),  # broken: the JSON reader says why
        ("cases.jsonl", "not json", "jsonl"),
        ("cases.json", "not json", "json"),
        ("cases.tsv", "title\tref\n", "csv"),
        ("cases", "title;ref\n", "csv"),
        ("cases.xlsx", "title;ref\n", "xlsx"),  # the xlsx reader says it is not a workbook
        ("cases.csv", b"PK\x03\x04rest", "xlsx"),
        ("cases.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "xlsx"),
        ("cases.json", '\ufeff[{"ref": "a"}]'.encode("utf-16"), "json"),
    ],
)
def test_detect_format_from_content_then_extension(
    tmp_path: Path, name: str, content: str | bytes, expected: str
) -> None:
    assert detect_format(write(tmp_path, name, content)) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_declared_format_wins(fmt: str) -> None:
    assert detect_format(SAMPLES / "array.json", fmt) == fmt


def test_unknown_declared_format_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="unknown format 'xls'"):
        detect_format(SAMPLES / "array.json", "xls")


def test_declared_format_that_does_not_fit_is_unreadable() -> None:
    with pytest.raises(UnreadableFile, match=r"array\.json: the header row names none"):
        read_records(SAMPLES / "array.json", "csv")


# --- CSV cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.250.000", 1250000),
        ("1.250.000 kr.", 1250000),
        ("1250000", 1250000),
        ("1 250 000", 1250000),
        ("1\u00a0250\u00a0000 kr", 1250000),
        ("kr. 1.250.000", 1250000),
        ("1.250.000,00", 1250000),
        ("1.250.000,-", 1250000),
        ("DKK 1250000", 1250000),
        ("1250000.0", 1250000),
        ("0", 0),
        ("-5", -5),  # a number: the schema says it must be >= 0
        ("1.250.000,50", "1.250.000,50"),  # not whole kroner: left for the schema to reject
        ("ca. 1 mio.", "ca. 1 mio."),
        ("12 34", "12 34"),
        ("1,250,000", "1,250,000"),
    ],
)
def test_amounts_as_danes_write_them(tmp_path: Path, cell: str, expected: Any) -> None:
    path = write(tmp_path, "a.csv", f'ref;budget_dkk\nx;"{cell}"\n')
    assert read(path) == [(2, {"ref": "x", "budget_dkk": expected})]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("55,676", 55.676), ("55.676", 55.676), ("56", 56.0), ("nord", "nord"), ("nan", "nan")],
)
def test_coordinates_accept_a_decimal_comma(tmp_path: Path, cell: str, expected: Any) -> None:
    path = write(tmp_path, "a.csv", f"ref;latitude\nx;{cell}\n")
    assert read(path) == [(2, {"ref": "x", "latitude": expected})]


@pytest.mark.parametrize(
    ("links", "titles", "expected"),
    [
        ("https://a.dk | https://b.dk", "A | B", [("A", "https://a.dk"), ("B", "https://b.dk")]),
        ("https://a.dk\nhttps://b.dk", "A", [("A", "https://a.dk"), ("https://b.dk",) * 2]),
        ("https://a.dk https://b.dk", "|B", [("https://a.dk",) * 2, ("B", "https://b.dk")]),
        ("https://a.dk", "A|B|C", [("A", "https://a.dk")]),
        ("https://a.dk||", "", [("https://a.dk",) * 2]),
    ],
)
def test_links_pair_with_their_titles(
    tmp_path: Path, links: str, titles: str, expected: list[tuple[str, str]]
) -> None:
    path = write(tmp_path, "a.csv", f'ref;Links;Link titles\nx;"{links}";"{titles}"\n')
    want = [{"title": title, "url": url} for title, url in expected]
    assert read(path) == [(2, {"ref": "x", "links": want})]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("'=SUM(1)", "=SUM(1)"),
        ("'+45 12 34 56 78", "+45 12 34 56 78"),
        ("'-minus", "-minus"),
        ("'@home", "@home"),
        ("''=x", "'=x"),
        ("'quoted'", "'quoted'"),
        ("=SUM(1)", "=SUM(1)"),
    ],
)
def test_the_exports_formula_guard_is_undone(tmp_path: Path, cell: str, expected: str) -> None:
    path = write(tmp_path, "a.csv", f"ref;title\nx;{cell}\n")
    assert read(path) == [(2, {"ref": "x", "title": expected})]


def test_lists_split_on_pipes_and_drop_empty_parts(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "ref;themes;actors\nx; byrum | | klima |;|\n")
    assert read(path) == [(2, {"ref": "x", "themes": ["byrum", "klima"]})]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (r"Fond A \| del 2 | B", ["Fond A | del 2", "B"]),
        (r"\||\|\|", ["|", "||"]),
        (r"C:\sti\ | D", ["C:\\sti\\", "D"]),  # a backslash before anything but | is itself
        (r"a\\|b", ["a\\|b"]),  # \\| is a backslash and an escaped |
        (r"A\|B", ["A|B"]),  # the one ambiguity: never the two values A\ and B
    ],
)
def test_an_escaped_pipe_is_part_of_a_list_value(
    tmp_path: Path, cell: str, expected: list[str]
) -> None:
    path = write(tmp_path, "a.csv", f'ref;funders\nx;"{cell}"\n')
    assert read(path) == [(2, {"ref": "x", "funders": expected})]


def test_an_escaped_pipe_is_part_of_a_url_or_a_title(tmp_path: Path) -> None:
    links = r"http://x.dk/%C3%A6?q=a\|b https://b.dk\||https://c.dk"
    titles = r"Titel \| med pipe | | C\\"
    path = write(tmp_path, "a.csv", f'ref;links;link_titles\nx;"{links}";"{titles}"\n')
    want = [
        {"title": "Titel | med pipe", "url": "http://x.dk/%C3%A6?q=a|b"},
        {"title": "https://b.dk|", "url": "https://b.dk|"},
        {"title": "C\\\\", "url": "https://c.dk"},
    ]
    assert read(path) == [(2, {"ref": "x", "links": want})]


def test_a_cell_longer_than_csvs_default_limit(tmp_path: Path) -> None:
    text = "æ" * 200_000 + "\n" + "ø" * 10
    content = f'ref;description;themes\nx;"{text}";byrum\ny;kort;klima\n'
    path = write(tmp_path, "a.csv", content, encoding="cp1252")
    assert read(path) == [
        (2, {"ref": "x", "description": text, "themes": ["byrum"]}),
        (3, {"ref": "y", "description": "kort", "themes": ["klima"]}),
    ]


@pytest.mark.parametrize(
    "content",
    [
        'ref;title\na;A\nb;"never closed\nx;y\n',
        'ref;title\na;A\nb;"never closed',
        'ref;title\na;A\nb;"never closed\r\n\r\n',
    ],
)
def test_a_quote_that_never_closes_at_the_end(tmp_path: Path, content: str) -> None:
    with pytest.raises(UnreadableFile, match=r"row 3: a quoted cell runs to the end of the file"):
        list(read_records(write(tmp_path, "a.csv", content)))


@pytest.mark.parametrize("end", ["", "\n", "\r\n", "\n\n"])
def test_a_quoted_cell_may_end_the_file(tmp_path: Path, end: str) -> None:
    path = write(tmp_path, "a.csv", f'ref;title\na;"A\nB"{end}')
    assert read(path) == [(2, {"ref": "a", "title": "A\nB"})]


def test_system_and_unknown_columns_are_left_out(tmp_path: Path) -> None:
    content = (
        "ref;Regioner;version;created_at;updated_at;Farve;ref\nx;hovedstaden;3;2024;2024;blå;y\n"
    )
    reader = read_records(write(tmp_path, "a.csv", content))
    assert list(reader) == [RawRecord(2, {"ref": "x"})]
    assert reader.ignored_columns == ["Farve", "ref"]


def test_header_may_follow_empty_rows_and_rows_count_as_a_spreadsheet_shows_them(
    tmp_path: Path,
) -> None:
    content = '\n;;\nref;title;description\na;"two\nlines";x\n\n;;\nb;B;"y\r\nz"\n'
    assert read(write(tmp_path, "a.csv", content)) == [
        (4, {"ref": "a", "title": "two\nlines", "description": "x"}),
        (7, {"ref": "b", "title": "B", "description": "y\nz"}),
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # Commas in the text of a `;` file, semicolons in the text of a `,` file.
        ('ref;title\nx;"a, b, c"\ny;d, e\n', [{"ref": "x", "title": "a, b, c"}]),
        ('ref,title\nx,"a; b; c"\ny,"d; e"\n', [{"ref": "x", "title": "a; b; c"}]),
        ("ref\ttitle\nx\ta, b; c\ny\td\n", [{"ref": "x", "title": "a, b; c"}]),
        ("title\nNo delimiter at all\n", [{"title": "No delimiter at all"}]),
        ("Titel;Noter, interne\nA;b\n", [{"title": "A"}]),
    ],
)
def test_delimiter_is_sniffed(tmp_path: Path, content: str, expected: list[dict]) -> None:
    assert [data for _, data in read(write(tmp_path, "a.csv", content))][:1] == expected


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"])
def test_danish_letters_after_a_long_ascii_start(tmp_path: Path, encoding: str) -> None:
    # The first non-ASCII byte comes long after the part that sniffing looks at.
    rows = "".join(f"r{i};Title {i}\r\n" for i in range(8000))
    text = f"ref;title\r\n{rows}last;Ærø, Sønderborg og Tønder\r\n"
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    records = list(read_records(write(tmp_path, "a.csv", bom + text.encode(encoding))))
    assert len(records) == 8001
    assert records[-1] == RawRecord(8002, {"ref": "last", "title": "Ærø, Sønderborg og Tønder"})


def test_bytes_that_are_neither_utf8_nor_cp1252_are_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"ref;title\nx;caf\xe9\x81\n")
    with pytest.raises(UnreadableFile, match=r"neither UTF-8 nor Windows-1252 .*0x81 at offset 16"):
        read_records(path)


def test_a_utf8_bom_before_bytes_that_are_not_utf8_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", b"\xef\xbb\xbfref;title\nx;caf\xe9\n")
    with pytest.raises(UnreadableFile, match="not UTF-8 text despite its UTF-8 byte order mark"):
        read_records(path)


def test_an_unmatched_quote_names_its_row(tmp_path: Path) -> None:
    content = 'ref;title\na;A\nb;"never closed\n' + "x;y\n" * 40000
    with pytest.raises(UnreadableFile, match=r"row 3: .*an unmatched quote"):
        list(read_records(write(tmp_path, "a.csv", content)))


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_reads_the_first_sheet_from_its_first_non_empty_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    first["B3"], first["C3"], first["D3"] = "Reference", "Titel", "Funders"
    first["B4"], first["C4"], first["D4"] = "a", 12.5, "'=Fonden | Realdania"
    first["C6"] = True
    workbook.create_sheet("Other")["A1"] = "title"
    workbook.save(tmp_path / "a.xlsx")
    assert read(tmp_path / "a.xlsx") == [
        (4, {"ref": "a", "title": "12.5", "funders": ["=Fonden", "Realdania"]}),
        (6, {"title": "True"}),
    ]


def test_xlsx_under_any_name(tmp_path: Path) -> None:
    target = tmp_path / "upload-7f3a"  # uploads are saved under temporary names
    target.write_bytes((SAMPLES / "workbook.xlsx").read_bytes())
    assert read(target) == read(SAMPLES / "workbook.xlsx")


def test_old_xls_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(UnreadableFile, match=r"an old Excel \.xls workbook; save it as \.xlsx"):
        read_records(path)


def test_a_zip_that_is_no_workbook_is_unreadable(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "a.xlsx", "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableFile, match=r"a\.xlsx: not an Excel workbook"):
        read_records(tmp_path / "a.xlsx")


# --- JSON and JSON Lines ------------------------------------------------------------------------


def big_records(count: int) -> list[dict[str, Any]]:
    """Records of varied size, so that chunk boundaries fall inside strings, numbers, escapes."""
    return [
        {
            "ref": f"r{i}",
            "title": 'æøå "citat" \\ \u2028 ' * (i % 7),
            "description": "x" * (i * 37 % 3000),
            "budget_dkk": 10 ** (i % 12),
            "latitude": 55.0 + i / 1000,
        }
        for i in range(count)
    ]


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("wrap", [False, True])
def test_json_streams_many_records(tmp_path: Path, indent: int | None, wrap: bool) -> None:
    records = big_records(1500)
    document: Any = {"meta": {"n": [1, 2]}, "cases": records, "more": "x"} if wrap else records
    path = write(tmp_path, "a.json", json.dumps(document, indent=indent, ensure_ascii=False))
    assert read(path) == list(enumerate(records, start=1))


def test_json_errors_name_the_line_far_into_the_file(tmp_path: Path) -> None:
    lines = [json.dumps(record) + "," for record in big_records(1000)]
    text = "[\n" + "\n".join(lines) + '\n{"ref": "bad" "title": "x"}\n]\n'
    reader = read_records(write(tmp_path, "a.json", text))
    with pytest.raises(UnreadableFile, match=r"Expecting ',' delimiter at line 1002, column 15"):
        list(reader)


def test_json_is_read_lazily(tmp_path: Path) -> None:
    reader = read_records(write(tmp_path, "a.json", '[{"ref": "a"}, {"ref": "b", "ti'))
    assert next(reader) == RawRecord(1, {"ref": "a"})
    with pytest.raises(UnreadableFile, match="truncated"):
        next(reader)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"ref": "a"}] x', "unexpected data after the end of the JSON document at line 1"),
        ('[{"ref": "a"}, 7]', r"record 2 \(line 1\) is not a JSON object"),
        ('[{"ref": "a"},]', "Expecting value at line 1, column 15"),
        ('[{"ref": "a"},', r"truncated\?\) at line 1, column 15"),
        ('{"cases": [], ', r"truncated\?\) at line 1, column 15"),
        ('{"cases": [], 7: 1}', "expected a member name in double quotes at line 1, column 15"),
        ('{"meta": 1}', 'a JSON object must hold the records in a "cases" array'),
        ('{"cases": {"ref": "a"}}', 'a JSON object must hold the records in a "cases" array'),
        ("{}", 'a JSON object must hold the records in a "cases" array'),
        ('[{"ref": "caf\\u00e9"}\n\n', r"truncated\?\) at line 3"),
    ],
)
def test_json_that_is_not_an_import_is_unreadable(
    tmp_path: Path, content: str, message: str
) -> None:
    with pytest.raises(UnreadableFile, match=message):
        list(read_records(write(tmp_path, "a.json", content), "json"))


def test_json_that_is_not_utf8_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", '[{"title": "Ærø"}]', encoding="cp1252")
    with pytest.raises(UnreadableFile, match="not UTF-8 text"):
        list(read_records(path))


def test_json_values_pass_through_but_system_fields_go(tmp_path: Path) -> None:
    system = {"regions": ["midtjylland"], "version": 4, "created_at": "2024", "updated_at": "2024"}
    record = {"ref": "a", "budget_dkk": "1.250.000", "municipality": ["Aarhus"], "x": None}
    record |= system
    path = write(tmp_path, "a.jsonl", json.dumps(record))
    assert read(path) == [
        (1, {"ref": "a", "budget_dkk": "1.250.000", "municipalities": ["Aarhus"], "x": None})
    ]


def test_municipality_is_left_alone_beside_municipalities(tmp_path: Path) -> None:
    record = {"ref": "a", "municipality": "Aarhus", "municipalities": ["Odense"]}
    path = write(tmp_path, "a.jsonl", json.dumps(record))
    assert read(path) == [(1, record)]  # the schema reports the unknown field


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"ref": "a"}\n{"ref": x}\n', r"line 2 is not valid JSON: Expecting value \(column 9\)"),
        (b'{"ref": "a"}\n\n{"ref": "caf\xe9"}\n', "line 3 is not UTF-8 text"),
        ('{"ref": "a"}\n"b"\n', "line 2 is not a JSON object"),
        ('{"ref": "a"}\nnull\n', "line 2 is not a JSON object"),
        ("[1]\n", "not JSON Lines: the first line is not a JSON object"),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path: Path, content: str | bytes, message: str) -> None:
    with pytest.raises(UnreadableFile, match=message):
        list(read_records(write(tmp_path, "a.jsonl", content), "jsonl"))


def test_jsonl_in_utf16(tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", '{"ref": "æ"}\r\n{"ref": "ø"}\r\n', encoding="utf-16")
    assert read(path) == [(1, {"ref": "æ"}), (2, {"ref": "ø"})]


LONG = {"ref": "long", "description": "æ" * 200_000}


@pytest.mark.parametrize("name", ["a.jsonl", "a.ndjson", "a.json", "a", "a.txt"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_jsonl_with_a_first_line_longer_than_the_head(
    tmp_path: Path, name: str, encoding: str
) -> None:
    text = "\n\n" + json.dumps(LONG, ensure_ascii=False) + '\n{"ref": "b"}\n'
    path = write(tmp_path, name, text, encoding=encoding)
    reader = read_records(path)
    assert reader.format == "jsonl"
    assert [(r.row, r.data) for r in reader] == [(3, LONG), (4, {"ref": "b"})]


@pytest.mark.parametrize("name", ["a.jsonl", "a.json", "a"])
def test_one_long_jsonl_record_without_a_newline(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, json.dumps(LONG))
    assert detect_format(path) == "jsonl"
    assert read(path) == [(1, LONG)]


@pytest.mark.parametrize("name", ["a.json", "a.jsonl", "a"])
@pytest.mark.parametrize("end", ["", "\n", "\n\n  \n"])
def test_a_cases_document_on_one_long_line(tmp_path: Path, name: str, end: str) -> None:
    path = write(tmp_path, name, json.dumps({"cases": [LONG, {"ref": "b"}]}) + end)
    assert detect_format(path) == "json"
    assert read(path) == [(1, LONG), (2, {"ref": "b"})]


@pytest.mark.parametrize(("name", "expected"), [("a.jsonl", "jsonl"), ("a.ndjson", "jsonl")])
def test_a_first_line_too_long_to_read_goes_by_the_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, expected: str
) -> None:
    monkeypatch.setattr("casebase.readers.base.MAX_JSON_RECORD_CHARS", 100_000)
    path = write(tmp_path, name, json.dumps(LONG) + "\n")
    assert detect_format(path) == expected
    for other in ("b.json", "c"):
        path = path.rename(tmp_path / other)
        assert detect_format(path) == "json"


# --- resources ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(READABLE))
def test_abandoned_readers_close_their_files(name: str) -> None:
    # A leaked file would raise ResourceWarning, an error under filterwarnings=error.
    reader = read_records(SAMPLES / name)
    next(reader, None)
    del reader
    gc.collect()
    with read_records(SAMPLES / name) as reader:
        next(reader, None)


def test_a_record_that_is_not_an_object_is_named_by_its_line_far_into_the_file(
    tmp_path: Path,
) -> None:
    lines = [json.dumps(record) + "," for record in big_records(1000)]
    text = "[\n" + "\n".join(lines) + '\n"stray"\n]\n'
    with pytest.raises(UnreadableFile, match=r"record 1001 \(line 1002\) is not a JSON object"):
        list(read_records(write(tmp_path, "a.json", text)))


def test_json_errors_name_the_column_far_into_a_minified_file(tmp_path: Path) -> None:
    text = json.dumps(big_records(300), separators=(",", ":"))[:-1] + ',{"ref":x}]'
    column = len(text) - 2  # the x, counted from 1
    path = write(tmp_path, "a.json", text)
    with pytest.raises(UnreadableFile, match=rf"Expecting value at line 1, column {column}$"):
        list(read_records(path))


def test_a_damaged_worksheet_is_unreadable(tmp_path: Path) -> None:
    with zipfile.ZipFile(SAMPLES / "workbook.xlsx") as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:700]
    with zipfile.ZipFile(tmp_path / "a.xlsx", "w") as damaged:
        for name, content in parts.items():
            damaged.writestr(name, content)
    with pytest.raises(UnreadableFile, match=r"a\.xlsx: the first worksheet cannot be read"):
        list(read_records(tmp_path / "a.xlsx"))
