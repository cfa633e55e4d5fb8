"""Real-world-shaped sample files through the whole import: right records, or a clear refusal."""

import json

import pytest
from conftest import SAMPLES

VALID = [
    ("excel_cp1252_semicolon.csv", 2),
    ("utf8_bom_comma.csv", 2),
    ("utf8_tab.csv", 2),
    ("utf16le_tab.txt", 2),
    ("workbook.xlsx", 2),
    ("array.json", 2),
    ("cases_object.json", 2),
    ("lines.jsonl", 3),
    ("empty_array.json", 0),
]

UNREADABLE = [
    ("empty.csv", "the file is empty"),
    ("bom_only.csv", "the file is empty"),
    ("truncated.json", "truncated"),
    ("noise.csv", "not a text file"),
    ("not_a_workbook.xlsx", "not an Excel workbook"),
    ("no_known_header.csv", "names none of the record's fields"),
    ("jsonl_not_object.jsonl", "line 2 is not a JSON object"),
]


def total(runner) -> int:
    return json.loads(runner.invoke(["search", "--json"]).output)["total"]


@pytest.mark.parametrize(("name", "count"), VALID)
def test_valid_samples_import(runner, service, name, count):
    result = runner.invoke(["import", str(SAMPLES / name)])
    assert result.exit_code == 0, result.output
    assert f"created {count}," in result.output
    assert total(runner) == count
    again = runner.invoke(["import", str(SAMPLES / name)])
    assert f"unchanged {count}," in again.output


def test_excel_csv_values_arrive_right(runner, service):
    runner.invoke(["import", str(SAMPLES / "excel_cp1252_semicolon.csv")])
    body = json.loads(runner.invoke(["search", "--json", "--sort", "title"]).output)
    record = service.get_case(body["results"][0]["ref"])
    text = json.dumps(record, ensure_ascii=False)
    assert "æ" in text or "ø" in text or "å" in text
    assert any(service.get_case(r["ref"])["budget_dkk"] == 1250000 for r in body["results"])


@pytest.mark.parametrize(("name", "fragment"), UNREADABLE)
def test_unreadable_samples_exit_2_and_write_nothing(runner, service, name, fragment):
    result = runner.invoke(["import", str(SAMPLES / name)])
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert total(runner) == 0


def test_bad_record_in_a_csv_names_row_ref_field_and_suggestion(runner, service):
    result = runner.invoke(["import", str(SAMPLES / "bad_municipality.csv")])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("record")]
    assert len(lines) == 1
    assert lines[0].startswith("record 3 (ref ")
    assert (
        "municipalities: Unknown municipality 'Københaven'; did you mean 'København'?" in lines[0]
    )
    assert total(runner) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonl"])
def test_export_round_trip_through_every_format(runner, seeded, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}"
    result = runner.invoke(["export", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(["import", str(out)])
    assert result.exit_code == 0, result.output
    assert "created 0, updated 0, unchanged 90, rejected 0" in result.output


def test_filtered_export(runner, seeded, tmp_path):
    out = tmp_path / "pp.jsonl"
    runner.invoke(
        [
            "export",
            "--format",
            "jsonl",
            "--filter",
            "collaboration_form=projektpartnerskab",
            "-o",
            str(out),
        ]
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines and all(
        "projektpartnerskab" in json.loads(line)["collaboration_forms"] for line in lines
    )
    body = json.loads(
        runner.invoke(
            ["search", "--json", "--filter", "collaboration_form=projektpartnerskab"]
        ).output
    )
    assert len(lines) == body["total"]


def test_ignored_columns_are_told(runner, service):
    result = runner.invoke(["import", str(SAMPLES / "excel_cp1252_semicolon.csv")])
    assert "excel_cp1252_semicolon.csv: ignored columns that name no field: Noter" in (
        result.stderr
    )
