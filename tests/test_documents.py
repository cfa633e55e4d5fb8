"""Documents of cases (docs/contract.md section 13), through the API on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import urllib.error
import urllib.request
import zipfile
from typing import Any

import pytest
from documentfiles import make_docx, make_odt, make_pdf, make_pdf_bomb
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casebase.documents import safe_filename, sniff
from casebase.errors import UnsupportedFile
from casebase.services import Casebase

REF = "doc-case"
CASE = {
    "ref": REF,
    "title": "Helhedsplan for Søndermarken",
    "description": "Beboere og kommune byggede et fælleshus sammen.",
    "municipalities": ["Egedal"],
    "start_year": 2019,
    "collaboration_forms": ["projektpartnerskab"],
    "actors": ["kommune"],
    "themes": ["byrum"],
}
REPORT = make_pdf(
    ["Evaluering af forsøget", "Trappeopgangene fik nye postkasser og en kvistlampe."]
)


@pytest.fixture
def token(service: Casebase) -> str:
    service.create_user("admin", "admin-password", admin=True)
    return service.create_token("admin")


@pytest.fixture
def admin(client: FlaskClient, token: str) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/cases", json=CASE, headers=headers).status_code == 201
    return headers


def upload(
    client: FlaskClient, headers: dict[str, str], data: bytes, name: str, **fields: Any
) -> Any:
    form = {"file": FileStorage(io.BytesIO(data), name), **{k: str(v) for k, v in fields.items()}}
    # Encoded in memory: the test client would spool a big body to a file it never closes.
    boundary, body = encode_multipart(form)
    return client.post(
        f"/api/cases/{REF}/documents",
        data=body,
        headers=headers,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def downloaded(client: FlaskClient, url: str) -> bytes:
    with client.get(url) as answer:
        return answer.data


def refs(client: FlaskClient, q: str) -> list[str]:
    return [r["ref"] for r in client.get("/api/cases", query_string={"q": q}).get_json()["results"]]


def test_a_word_only_in_an_uploaded_pdf_finds_its_case(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    assert refs(client, "kvistlampe") == []
    answer = upload(client, admin, REPORT, "Evaluering 2021.pdf", kind="evaluering", year=2021)
    assert answer.status_code == 201, answer.get_json()
    document = answer.get_json()
    assert {k: document[k] for k in ("title", "kind", "year", "filename", "pages", "has_text")} == {
        "title": "Evaluering 2021",
        "kind": "evaluering",
        "year": 2021,
        "filename": "Evaluering_2021.pdf",
        "pages": 2,
        "has_text": True,
    }
    assert document["sha256"] == hashlib.sha256(REPORT).hexdigest()
    assert document["bytes"] == len(REPORT) and document["content_type"] == "application/pdf"
    listed = client.get(f"/api/cases/{REF}/documents").get_json()["documents"]
    assert [d["id"] for d in listed] == [document["id"]]

    hit = client.get("/api/cases", query_string={"q": "kvistlampe"}).get_json()["results"][0]
    assert hit["ref"] == REF
    assert hit["found_in_documents"] == [{"id": document["id"], "title": "Evaluering 2021"}]
    assert "<mark>kvistlampe</mark>" in hit["document_snippet"]
    assert hit["snippet"] == hit["document_snippet"]  # the case's own fields do not hold it
    own = client.get("/api/cases", query_string={"q": "fælleshus"}).get_json()["results"][0]
    assert own["found_in_documents"] == [] and own["document_snippet"] is None

    with client.get(document["url"]) as download:
        assert download.status_code == 200 and download.data == REPORT
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/documents/{document['id']}/other.pdf").status_code == 404

    gone = client.delete(f"/api/cases/{REF}/documents/{document['id']}", headers=admin)
    assert gone.status_code == 204
    assert refs(client, "kvistlampe") == []
    assert client.get(document["url"]).status_code == 404


def test_a_scan_is_kept_without_text(client: FlaskClient, admin: dict[str, str]) -> None:
    answer = upload(client, admin, make_pdf(["", ""]), "scan.pdf", title="Skannet plan")
    assert answer.status_code == 201
    assert (answer.get_json()["has_text"], answer.get_json()["pages"]) == (False, 2)


def test_docx_odt_html_and_text_are_read(client: FlaskClient, admin: dict[str, str]) -> None:
    files = {
        "a.docx": make_docx(["Ordet gadekæret står i Word."]),
        "b.odt": make_odt(["Ordet havebænken står i ODT."]),
        "c.html": b"<!DOCTYPE html><html><script>var skjult;</script><p>Ordet &aring;kanten</p>",
        "d.txt": "Ordet vandposten står i tekst.".encode("cp1252"),
    }
    for name, data in files.items():
        assert upload(client, admin, data, name).status_code == 201, name
    for word in ("gadekæret", "havebænken", "åkanten", "vandposten"):
        assert refs(client, word) == [REF], word
    assert refs(client, "skjult") == []  # a script's text is no text of the page
    html_id = client.get(f"/api/cases/{REF}/documents").get_json()["documents"][2]
    with client.get(html_id["url"]) as download:
        assert download.mimetype == "application/octet-stream"  # never rendered


@pytest.mark.parametrize(
    ("data", "name", "status"),
    [
        (make_docx(["x"]), "rapport.pdf", 415),  # a Word file calling itself PDF
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), "setup.exe", 415),
        (b"PK\x03\x04" + bytes(100), "rapport.pdf", 415),  # a broken zip
        (make_pdf_bomb(1024), "bombe.pdf", 415),  # 1 GB of zeros packed in 1 MB
    ],
    ids=["docx-as-pdf", "exe", "broken-zip", "pdf-bomb"],
)
def test_hostile_files_are_refused_and_nothing_kept(
    client: FlaskClient, admin: dict[str, str], data: bytes, name: str, status: int
) -> None:
    answer = upload(client, admin, data, name)
    assert answer.status_code == status
    assert answer.get_json()["message"]
    assert client.get(f"/api/cases/{REF}/documents").get_json()["documents"] == []


def test_zip_that_is_no_document_is_refused(client: FlaskClient, admin: dict[str, str]) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("a.txt", "hej")
    answer = upload(client, admin, packed.getvalue(), "a.zip")
    assert answer.status_code == 415
    assert "not DOCX or ODT" in answer.get_json()["message"]


def test_bad_requests(client: FlaskClient, admin: dict[str, str]) -> None:
    assert upload(client, admin, REPORT, "r.pdf", kind="roman").status_code == 422
    assert upload(client, admin, REPORT, "r.pdf", year="to tusind").status_code == 422
    assert upload(client, {}, REPORT, "r.pdf").status_code == 401
    no_file = client.post(f"/api/cases/{REF}/documents", data={}, headers=admin)
    assert no_file.status_code == 400
    missing = client.post(
        "/api/cases/nope/documents", data={"file": (io.BytesIO(REPORT), "r.pdf")}, headers=admin
    )
    assert missing.status_code == 404
    assert client.delete(f"/api/cases/{REF}/documents/999", headers=admin).status_code == 404


def test_a_deleted_case_keeps_its_documents_for_a_restore(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    document = upload(client, admin, REPORT, "r.pdf").get_json()
    assert client.delete(f"/api/cases/{REF}", headers=admin).status_code == 204
    assert client.get(f"/api/cases/{REF}/documents").status_code == 410  # a deleted ref
    assert client.get(document["url"]).status_code == 404
    assert refs(client, "kvistlampe") == []
    restored = client.post(f"/api/cases/{REF}/restore", headers=admin)
    assert restored.status_code == 200, restored.get_json()
    assert downloaded(client, document["url"]) == REPORT
    assert refs(client, "kvistlampe") == [REF]
    listed = client.get(f"/api/cases/{REF}/documents").get_json()
    assert [d["id"] for d in listed["documents"]] == [document["id"]]


def test_one_copy_per_content(
    client: FlaskClient, admin: dict[str, str], service: Casebase
) -> None:
    first = upload(client, admin, REPORT, "a.pdf").get_json()
    second = upload(client, admin, REPORT, "b.pdf").get_json()
    assert first["sha256"] == second["sha256"]
    store = client.application.extensions["casebase"].documents.files
    assert list(store.iter_hashes()) == [first["sha256"]]
    client.delete(f"/api/cases/{REF}/documents/{first['id']}", headers=admin)
    assert downloaded(client, second["url"]) == REPORT  # still used by the other


def test_reindex_keeps_document_texts(client: FlaskClient, admin: dict[str, str]) -> None:
    upload(client, admin, REPORT, "r.pdf")
    client.application.extensions["casebase"].reindex()
    assert refs(client, "kvistlampe") == [REF]


def test_safe_filenames_keep_danish_letters() -> None:
    assert safe_filename("../../etc/Ærø rapport (2).pdf", "application/pdf") == "Ærø_rapport_2.pdf"
    assert safe_filename("C:\\x\\plan.PDF", "application/pdf") == "plan.pdf"
    assert safe_filename("evil.html", "application/pdf") == "evil.pdf"
    assert safe_filename("...", "text/plain") == "dokument.txt"
    assert safe_filename("a\x00b;rm -rf.txt", "text/plain") == "a_b_rm_-rf.txt"


def test_sniffing_reads_the_content() -> None:
    assert sniff(b"  <html><body>x", "a.htm").content_type == "text/html"
    assert sniff("æøå".encode(), "a.txt").content_type == "text/plain"
    with pytest.raises(UnsupportedFile):
        sniff(b"abc\x00def", "a.txt")


def post_file(url: str, headers: dict[str, str], name: str, data: bytes) -> tuple[int, Any]:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    headers = {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_live_server_refuses_a_bomb_and_60_mb_and_keeps_answering(
    live_server: str, service: Casebase
) -> None:
    service.create_user("admin", "admin-password", admin=True)
    headers = {"Authorization": f"Bearer {service.create_token('admin')}"}
    ref = service.case_count() and next(iter(service.iter_matching(None)))["ref"]
    url = f"{live_server}/api/cases/{ref}/documents"
    status, body = post_file(url, headers, "b.pdf", make_pdf_bomb(1024))
    assert status == 415 and "not kept" in body["message"]
    status, body = post_file(url, headers, "big.txt", b"a" * (60 * 1024 * 1024))
    assert status == 413 and "at most 50 MB" in body["message"]
    with urllib.request.urlopen(f"{live_server}/healthz", timeout=30) as answer:
        assert json.load(answer) == {"status": "ok"}


def test_the_collaboration_forms_page(client: FlaskClient, admin: dict[str, str]) -> None:
    page = client.get("/samarbejdsformer").get_data(as_text=True)
    assert "uden at der er indgået en kontrakt" in page
    assert "kfst.dk" in page  # a source named
    assert 'href="/?collaboration_form=projektpartnerskab"' in page
    assert "1 sager" in page  # the one case of this test is a projektpartnerskab
    english = client.get("/samarbejdsformer?lang=en").get_data(as_text=True)
    assert "without signing a contract" in english
    search = client.get("/?lang=da").get_data(as_text=True)
    assert "Hvad betyder det?" in search and 'href="/samarbejdsformer' in search


def test_a_result_found_in_a_document_says_so_on_the_page(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    upload(client, admin, REPORT, "r.pdf", title="Evalueringsrapport")
    page = client.get("/?q=kvistlampe").get_data(as_text=True)
    assert "I rapporten:" in page and "<mark>kvistlampe</mark>" in page
    assert "Fundet i dokumenterne: Evalueringsrapport" in page


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_exports_list_documents_and_import_reads_them_back(
    client: FlaskClient, admin: dict[str, str], fmt: str, tmp_path: Any
) -> None:
    document = upload(client, admin, REPORT, "r.pdf", title="Evaluering").get_json()
    with client.get(f"/api/export?format={fmt}&q=fælleshus") as answer:
        exported = answer.data
    if fmt == "json":
        assert json.loads(exported)[0]["documents"] == [
            {"title": "Evaluering", "url": document["url"]}
        ]
    elif fmt == "csv":
        assert f"Evaluering ({document['url']})" in exported.decode("utf-8-sig")
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(exported), f"export.{fmt}")})
    report = client.post(
        "/api/imports",
        data=body,
        headers=admin,
        content_type=f"multipart/form-data; boundary={boundary}",
    ).get_json()
    assert (report["unchanged"], report["rejected"]) == (1, 0), report


def test_seed_attaches_the_seed_documents_and_the_cli_adds_one(runner: Any, tmp_path: Any) -> None:
    result = runner.invoke(["seed"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(["documents", "list", "klimakvarter-skt-kjelds"]).output.splitlines()
    assert [line.split("\t")[3] for line in listed] == ["text", "no text"]
    found = json.loads(runner.invoke(["search", "--json", "skybrudsvej"]).output)
    assert [r["ref"] for r in found["results"]] == ["klimakvarter-skt-kjelds"]
    first = found["results"][0]
    assert first["found_in_documents"][0]["title"].startswith("Københavns første klimakvarter")
    assert "<mark>skybrudsvej</mark>" in first["document_snippet"]
    path = tmp_path / "notat.txt"
    path.write_text("Et notat om vandrender.", encoding="utf-8")
    added = runner.invoke(
        ["documents", "add", "mandemarke-groen-plan", str(path), "--year", "2010"]
    )
    assert added.exit_code == 0 and "notat" in added.output
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"MZ" + bytes(50))
    refused = runner.invoke(["documents", "add", "mandemarke-groen-plan", str(bad)])
    assert refused.exit_code == 2
