"""Citations of cases (docs/contract.md section 10): BibTeX, RIS and CSL-JSON.

One neutral `Citable` per case (title, the contact organisation as author, the
municipalities as place, the years, the permalink and access date, casebase as publisher,
the summary as abstract, themes and collaboration forms as keywords) is written by each
format's maintained library: bibtexparser for BibTeX, rispy for RIS; CSL-JSON is JSON. Text
stays UTF-8 with Danish letters as themselves. Decisions: docs/decisions.md (§10 Citations).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

import bibtexparser
import rispy
from bibtexparser import model

from . import vocabularies

FORMATS = ("bibtex", "ris", "csl-json")
CONTENT_TYPES = {
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json",
}
EXTENSIONS = {"bibtex": "bib", "ris": "ris", "csl-json": "json"}
PUBLISHER = "casebase"
LANGUAGE = {"bibtex": "danish", "ris": "da", "csl-json": "da"}
# Keywords: the labels of these fields' keys, in this order.
KEYWORD_FIELDS = (("themes", "theme"), ("collaboration_forms", "collaboration_form"))
# LaTeX's special characters as text. BibTeX counts every brace, escaped or not, so braces
# become the text commands that print them.
LATEX_TEXT = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)


@dataclass(frozen=True)
class Citable:
    """What a citation of a case says, whatever the format."""

    ref: str
    title: str
    organisation: str | None
    places: list[str]
    start_year: int | None
    end_year: int | None
    url: str
    accessed: date
    abstract: str | None
    keywords: list[str]

    @classmethod
    def of(cls, record: Mapping[str, Any], url: str, accessed: date) -> Citable:
        keywords = [
            vocabularies.label(vocabulary, key, "da")
            for field, vocabulary in KEYWORD_FIELDS
            for key in record.get(field) or []
        ]
        return cls(
            ref=record["ref"],
            title=record["title"],
            organisation=record.get("contact_org") or None,
            places=list(record.get("municipalities") or []),
            start_year=record.get("start_year"),
            end_year=record.get("end_year"),
            url=url,
            accessed=accessed,
            abstract=record.get("summary") or None,
            keywords=keywords,
        )

    @property
    def period(self) -> str | None:
        """2019–2021, or 2019– while it runs; None for one year or none known."""
        if self.start_year is None or self.end_year == self.start_year:
            return None
        return f"{self.start_year}–{self.end_year or ''}"


def content_type(fmt: str) -> str:
    return CONTENT_TYPES[fmt]


def filename(stem: str, fmt: str) -> str:
    return f"{stem}.{EXTENSIONS[fmt]}"


def write_citations(
    records: Iterable[Mapping[str, Any]],
    fmt: str,
    out: BinaryIO,
    case_url: Callable[[str], str],
    accessed: date,
) -> None:
    """Stream citations of records to a binary file in one of FORMATS."""
    citables = (Citable.of(record, case_url(record["ref"]), accessed) for record in records)
    if fmt == "csl-json":
        separator = b"[\n"
        for citable in citables:
            out.write(separator + json.dumps(csl_item(citable), ensure_ascii=False).encode())
            separator = b",\n"
        out.write(b"[]\n" if separator == b"[\n" else b"\n]\n")
        return
    write = bibtex if fmt == "bibtex" else ris
    separator = b""
    for citable in citables:
        out.write(separator + write(citable).encode("utf-8"))
        separator = b"\n" if fmt == "bibtex" else b"\r\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _latex(text: str) -> str:
    return _one_line(text).translate(LATEX_TEXT)


def bibtex(citable: Citable) -> str:
    """A @misc entry keyed by the ref; title and organisation braced so that styles keep
    their case and never split the organisation into persons."""
    fields = [
        ("author", "{" + _latex(citable.organisation) + "}" if citable.organisation else None),
        ("title", "{" + _latex(citable.title) + "}"),
        ("howpublished", PUBLISHER),
        ("address", _latex(", ".join(citable.places)) if citable.places else None),
        ("year", str(citable.start_year) if citable.start_year is not None else None),
        ("date", _bibtex_date(citable)),
        ("url", citable.url),
        ("urldate", citable.accessed.isoformat()),
        ("abstract", _latex(citable.abstract) if citable.abstract else None),
        ("keywords", _latex(", ".join(citable.keywords)) if citable.keywords else None),
        ("language", LANGUAGE["bibtex"]),
    ]
    entry = model.Entry(
        "misc", citable.ref, [model.Field(key, value) for key, value in fields if value]
    )
    return bibtexparser.write_string(bibtexparser.Library([entry]))


def _bibtex_date(citable: Citable) -> str | None:
    """biblatex's date: a range 2019/2021, or 2019/ while the case runs."""
    if citable.start_year is None or citable.end_year == citable.start_year:
        return None
    return f"{citable.start_year}/{citable.end_year or ''}"


class _RisWriter(rispy.RisWriter):
    """RIS as the format describes it: no numbered header line before each reference (rispy
    writes one), CR LF line ends."""

    NEWLINE = "\r\n"

    def set_header(self, count: int) -> str:
        return ""


def ris(citable: Citable) -> str:
    """An ELEC (web page) reference; every value on one line."""
    values: dict[str, Any] = {
        "type_of_reference": "ELEC",
        "id": citable.ref,
        "title": _one_line(citable.title),
        "authors": [_one_line(citable.organisation)] if citable.organisation else None,
        "year": str(citable.start_year) if citable.start_year is not None else None,
        "notes": [citable.period] if citable.period else None,
        "place_published": ", ".join(citable.places) or None,
        "urls": [citable.url],
        "access_date": citable.accessed.strftime("%Y/%m/%d"),
        "publisher": PUBLISHER,
        "name_of_database": PUBLISHER,
        "abstract": _one_line(citable.abstract) if citable.abstract else None,
        "keywords": citable.keywords or None,
        "language": LANGUAGE["ris"],
    }
    present = {key: value for key, value in values.items() if value}
    return str(rispy.dumps([present], implementation=_RisWriter))


def csl_item(citable: Citable) -> dict[str, Any]:
    """A CSL-JSON item of type webpage."""
    item: dict[str, Any] = {"id": citable.ref, "type": "webpage", "title": citable.title}
    if citable.organisation:
        item["author"] = [{"literal": citable.organisation}]
    if citable.start_year is not None:
        years = [[citable.start_year]]
        if citable.end_year is not None and citable.end_year != citable.start_year:
            years.append([citable.end_year])
        item["issued"] = {"date-parts": years}
    accessed = citable.accessed
    item["accessed"] = {"date-parts": [[accessed.year, accessed.month, accessed.day]]}
    item["URL"] = citable.url
    item["publisher"] = item["container-title"] = PUBLISHER
    if citable.places:
        item["publisher-place"] = ", ".join(citable.places)
    if citable.abstract:
        item["abstract"] = citable.abstract
    if citable.keywords:
        item["keyword"] = ", ".join(citable.keywords)
    item["language"] = LANGUAGE["csl-json"]
    return item
