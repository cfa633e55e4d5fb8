"""`casebase import` and friends through the command line, on SQLite and PostgreSQL."""

import json
from pathlib import Path

from conftest import SEED_DIR, run_cli

GOOD = {
    "ref": "cli-1",
    "title": "Borgerinddragelse i Langå",
    "description": "Et forsøg med midlertidige byrum.",
    "municipalities": ["Randers"],
    "collaboration_forms": ["borgerinddragelse"],
    "themes": ["byrum"],
    "start_year": 2015,
}


def write_json(path: Path, records) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def count(runner) -> int:
    result = runner.invoke(["search", "--json"])
    return json.loads(result.output)["total"]


def test_seed_data_imports_cleanly(runner, service):
    files = sorted(SEED_DIR.glob("cases*.json"))
    result = runner.invoke(["import", *map(str, files), "--dry-run"])
    assert result.exit_code == 0, result.output
    records = [r for f in files for r in json.loads(f.read_text(encoding="utf-8"))]
    assert len(records) >= 80
    result = runner.invoke(["import", *map(str, files)])
    assert result.exit_code == 0, result.output
    assert f"created {len(records)}," in result.output
    assert count(runner) == len(records)
    result = runner.invoke(["import", *map(str, files)])
    assert f"unchanged {len(records)}," in result.output


def test_one_bad_record_writes_nothing_and_names_it(runner, service, tmp_path):
    bad = {**GOOD, "ref": "cli-2", "municipalities": ["Københaven"]}
    path = write_json(tmp_path / "cases.json", [GOOD, bad])
    result = runner.invoke(["import", str(path)])
    assert result.exit_code == 1
    assert (
        "record 2 (ref cli-2): municipalities: Unknown municipality 'Københaven'; "
        "did you mean 'København'?"
    ) in result.stderr
    assert "nothing was written" in result.stderr
    assert count(runner) == 0


def test_skip_writes_the_valid_records_and_still_exits_1(runner, service, tmp_path):
    bad = {**GOOD, "ref": "cli-2", "themes": []}
    path = write_json(tmp_path / "cases.json", [GOOD, bad])
    report_file = tmp_path / "report.json"
    result = runner.invoke(
        ["import", str(path), "--on-error", "skip", "--report", str(report_file)]
    )
    assert result.exit_code == 1
    assert count(runner) == 1
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "dry_run": False,
        "errors_total": 1,
        "errors": [
            {
                "row": 2,
                "ref": "cli-2",
                "field": "themes",
                "message": "At least one theme is required.",
            }
        ],
    }


def test_dry_run_reports_and_writes_nothing(runner, service, tmp_path):
    runner.invoke(["import", str(write_json(tmp_path / "a.json", [GOOD]))])
    changed = {**GOOD, "title": "Et nyt navn"}
    new = {**GOOD, "ref": "cli-3"}
    path = write_json(tmp_path / "b.json", [changed, new])
    report_file = tmp_path / "report.json"
    result = runner.invoke(["import", str(path), "--dry-run", "--report", str(report_file)])
    assert result.exit_code == 0, result.output
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert (report["created"], report["updated"], report["unchanged"], report["dry_run"]) == (
        1,
        1,
        0,
        True,
    )
    assert count(runner) == 1
    assert service.get_case("cli-1")["title"] == GOOD["title"]


def test_update_bumps_version(runner, service, tmp_path):
    runner.invoke(["import", str(write_json(tmp_path / "a.json", [GOOD]))])
    result = runner.invoke(
        ["import", str(write_json(tmp_path / "b.json", [{**GOOD, "title": "Nyt navn"}]))]
    )
    assert "updated 1," in result.output
    assert service.get_case("cli-1")["version"] == 2


def test_a_ref_twice_is_an_error(runner, service, tmp_path):
    path = write_json(tmp_path / "a.json", [GOOD, {**GOOD, "title": "Dublet"}])
    result = runner.invoke(["import", str(path)])
    assert result.exit_code == 1
    assert "occurs twice" in result.stderr
    assert count(runner) == 0


def test_json_lines(runner, service, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(
        "\n".join(json.dumps({**GOOD, "ref": f"l-{i}"}) for i in range(3)) + "\n", encoding="utf-8"
    )
    result = runner.invoke(["import", str(path)])
    assert result.exit_code == 0, result.output
    assert count(runner) == 3


def test_unreadable_files_exit_2_with_one_line(runner, service, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("")
    truncated = tmp_path / "truncated.json"
    truncated.write_text('[{"ref": "a", "title": "x')
    for path in (tmp_path / "missing.json", empty, truncated):
        result = runner.invoke(["import", str(path)])
        assert result.exit_code == 2, (path, result.output)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert count(runner) == 0


def test_empty_array_is_a_valid_import_of_nothing(runner, service, tmp_path):
    result = runner.invoke(["import", str(write_json(tmp_path / "none.json", []))])
    assert result.exit_code == 0
    assert "created 0," in result.output


def test_export_then_import_is_unchanged(runner, seeded, tmp_path):
    for fmt in ("json", "jsonl"):
        out = tmp_path / f"export.{fmt}"
        result = runner.invoke(["export", "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        result = runner.invoke(["import", str(out)])
        assert result.exit_code == 0, result.output
        assert "created 0, updated 0" in result.output


def test_real_process_exit_codes_and_no_traceback(env, service, tmp_path):
    path = write_json(tmp_path / "a.json", [GOOD])
    assert run_cli(["import", str(path)], env).returncode == 0
    result = run_cli(["search", "Langå", "--json"], env)
    assert result.returncode == 0
    assert [r["ref"] for r in json.loads(result.stdout)["results"]] == ["cli-1"]
    for args in (
        ["import"],
        ["import", "--on-error", "maybe", str(path)],
        ["search", "--filter", "colour=red"],
        ["nonsense"],
    ):
        result = run_cli(args, env)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_json_nested_a_million_deep_exits_2_with_one_line(env, service, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 1_000_000 + "]" * 1_000_000, encoding="utf-8")
    result = run_cli(["import", str(path)], env)
    assert result.returncode == 2
    assert result.stderr == (
        f"casebase: {path}: record 1 (line 1) is nested more than 100 levels deep\n"
    )
    assert count_cases(env) == 0


def count_cases(env) -> int:
    return json.loads(run_cli(["search", "--json"], env).stdout)["total"]


def test_errors_beyond_the_limit_are_counted_not_listed(env, service, tmp_path):
    bad = [{**GOOD, "ref": f"cli-{i}", "themes": [], "title": "x"} for i in range(3)]
    path = write_json(tmp_path / "bad.json", [GOOD, *bad])
    report_file = tmp_path / "report.json"
    result = run_cli(
        ["import", str(path), "--report", str(report_file)],
        {**env, "CASEBASE_IMPORT_MAX_ERRORS": "2"},
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        "record 2 (ref cli-0): title: Length must be between 3 and 300.",
        "record 2 (ref cli-0): themes: At least one theme is required.",
        "... and 4 more errors not listed (only the first 2 are; set "
        "CASEBASE_IMPORT_MAX_ERRORS to list more)",
    ]
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert (report["rejected"], report["errors_total"], len(report["errors"])) == (3, 6, 2)
    assert count_cases(env) == 0


def test_a_bad_limit_setting_is_one_line(env, service, tmp_path):
    path = write_json(tmp_path / "a.json", [GOOD])
    result = run_cli(["import", str(path)], {**env, "CASEBASE_IMPORT_MAX_ERRORS": "many"})
    assert result.returncode == 2
    assert result.stderr == (
        "casebase: CASEBASE_IMPORT_MAX_ERRORS must be a whole number of at least 1, not 'many'\n"
    )


def test_init_is_idempotent(runner, service):
    for _ in range(2):
        result = runner.invoke(["init"])
        assert result.exit_code == 0, result.output


def test_user_and_token_commands(env, service):
    result = run_cli(
        ["user", "create", "ann", "--admin", "--password-stdin"], env, input="a long password\n"
    )
    assert result.returncode == 0, result.stderr
    result = run_cli(["token", "create", "ann"], env)
    assert result.returncode == 0
    token = result.stdout.strip()
    assert len(result.stdout.splitlines()) == 1 and token.startswith("cb_")
    assert service.user_for_token(token) == ("ann", True)
    assert run_cli(["token", "revoke", token], env).returncode == 0
    assert service.user_for_token(token) is None
    assert run_cli(["token", "create", "nobody"], env).returncode == 2


def test_export_format_follows_the_file_extension(runner, seeded, tmp_path):
    for fmt in ("csv", "xlsx", "jsonl"):
        out = tmp_path / f"cases.{fmt}"
        assert runner.invoke(["export", "-o", str(out)]).exit_code == 0
        head = out.read_bytes()[:4]
        expected = {"csv": b"\xef\xbb\xbf", "xlsx": b"PK", "jsonl": b"{"}[fmt]
        assert head.startswith(expected), (fmt, head)


def test_several_files_name_the_file_in_the_message(runner, service, tmp_path):
    first = write_json(tmp_path / "a.json", [GOOD])
    second = write_json(tmp_path / "b.json", [{**GOOD, "ref": "cli-9", "themes": []}])
    report_file = tmp_path / "report.json"
    result = runner.invoke(["import", str(first), str(second), "--report", str(report_file)])
    assert result.exit_code == 1
    errors = json.loads(report_file.read_text(encoding="utf-8"))["errors"]
    assert errors == [
        {
            "row": 1,
            "ref": "cli-9",
            "field": "themes",
            "message": "b.json: At least one theme is required.",
        }
    ]
