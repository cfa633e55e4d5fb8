"""Regenerate the sample import files in this folder: `python tests/samples/make_samples.py [DIR]`.

Each file is shaped like what people and their tools really produce (see README.md); the
expected reading of each is spelled out in tests/test_readers.py.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent

# Excel (Danish), "CSV (semikolonsepareret)": Windows-1252, `;`, CRLF, Danish headers,
# amounts as people type them, decimal commas, a cell with a line break (Alt+Enter is LF),
# a column that is not a field ("Noter") and the ;;; row Excel writes for a formatted empty row.
EXCEL_CP1252 = (
    "Reference;Titel;Resumé;Beskrivelse;Kommune;Startår;Slutår;Status;Samarbejdsform;Aktører;"
    "Temaer;Budget (kr.);Offentlig finansiering (kr.);Bevillingsgivere;Links;Linktitler;"
    "Breddegrad;Længdegrad;Noter\r\n"
    'cp1252-1;Partnerskab om Byens Ø;Grøn omdannelse af havnen;"Kommunen og boligforeningen'
    ' indgik et partnerskab.\nBeboerne deltog i workshops om gårdrum; æbler og pærer.";'
    "Københavns Kommune;2014;2017;Afsluttet;Projektpartnerskab|Borgerinddragelse og samskabelse;"
    "Kommune|Borgere;Områdefornyelse|Byrum og friarealer;1.250.000 kr.;kr. 1.000.000;"
    "Realdania | Landsbyggefonden;https://example.dk/byens-oe https://example.dk/rapport.pdf;"
    "Projektside|Evaluering;55,676;12,568;intern note\r\n"
    "cp1252-2;Forsamlingshuset på Ærø;;Frivillige og kommunen istandsatte forsamlingshuset."
    ";Ærø;2019;;;Samarbejde med foreninger og frivillige;Foreninger;Landsbyer og landdistrikter;"
    "300.000;;;;;;;\r\n"
    ";;;;;;;;;;;;;;;;;;\r\n"
)

# Excel, "CSV UTF-8 (kommasepareret)": a BOM, `,`, English labels as headers.
UTF8_BOM_COMMA = (
    "Reference,Title,Summary,Description,Municipalities,Start year,End year,"
    "Collaboration forms,Actors,Themes,Budget (DKK),Private funding (DKK),"
    "Contact organisation,Latitude,Longitude\r\n"
    'utf8bom-1,"Gårdhaver, grønne tage og regnvand",,"Beboere, boligselskab og kommune'
    ' samarbejdede om klimatilpasning.",Aarhus|Skanderborg,2016,2018,'
    "Partnership with housing associations,Housing associations|Residents,"
    'Climate and sustainability,1 250 000,"1.250.000,00",Brabrand Boligforening,56.15,10.2\r\n'
    "utf8bom-2,Tryghedsvandringer i Vollsmose,Kort resumé,"
    '"Politi, boligsociale medarbejdere og beboere gik ""tryghedsvandringer"".",Odense,'
    "2012,2013,Social partnership with businesses,,Safety|Social housing initiatives,,,,,\r\n"
)

# A Unix tool's tab-separated UTF-8 (no BOM, LF): field names, the singular `municipality`.
UTF8_TAB = (
    "ref\ttitle\tdescription\tmunicipality\tstart_year\tstatus\tcollaboration_forms\tthemes\t"
    "budget_dkk\tlinks\n"
    "tab-1\tStrategisk byudvikling i Køge\tKøge Kyst: et strategisk partnerskab mellem kommune"
    " og Realdania.\tKøge\t2009\tigangvaerende\tstrategisk-partnerskab\t"
    "omraadefornyelse|bymidter\t1250000\thttps://example.dk/koege-kyst|https://example.dk/plan\n"
    "tab-2\tTværkommunalt samarbejde om landsbyer\tFire kommuner deler erfaringer.\t"
    "Lolland | Guldborgsund\t2020\t\ttvaerkommunalt\tlanddistrikter\t kr. 2.000.000 \t\n"
)

# Excel, "Unicode-tekst (*.txt)": UTF-16 LE with a BOM, TAB, CRLF, quoted multi-line cells.
UTF16_TAB = (
    "Titel\tReference\tBeskrivelse\tKommuner\tStartår\tSamarbejdsformer\tTemaer\tBudget (kr.)\r\n"
    'Byfornyelse på Nørrebro\tutf16-1\t"Helhedsorienteret byfornyelse.\n'
    'Med ""Supertanker"" som proces."\tKøbenhavn\t2011\tBorgerinddragelse og samskabelse\t'
    "Områdefornyelse|Byrum og friarealer\t1.250.000,00\r\n"
    "Sønderborg bymidte\tutf16-2\tHandel og erhverv i bymidten.\tSønderborg\t2015\t"
    "Offentlig-privat partnerskab\tBymidter, handel og erhverv\t\r\n"
)

# Validation of the lead's import rejects row 3 ("Københaven"); the others are valid.
BAD_MUNICIPALITY = (
    "ref;title;description;municipalities;collaboration_forms;themes\r\n"
    "bad-1;Byhaver i Aarhus;Beboere dyrker grøntsager sammen.;Aarhus;borgerinddragelse;byrum\r\n"
    "bad-2;Kulturhus i København;Et nyt kulturhus.;Københaven;projektpartnerskab;"
    "kultur-og-fritid\r\n"
    "bad-3;Stier i Aarhus;Nye stier langs åen.;Aarhus;projektpartnerskab;mobilitet\r\n"
)

JSON_CASES = [
    {
        "ref": "json-1",
        "title": "Partnerskab om Sydhavnen",
        "description": "Kommune, grundejere og investorer udviklede Sydhavnen sammen.",
        "municipality": "København",
        "start_year": 2016,
        "collaboration_forms": ["offentlig-privat-partnerskab"],
        "actors": ["kommune", "grundejere", "investorer"],
        "themes": ["omraadefornyelse"],
        "budget_dkk": 1250000,
        "links": [{"title": "Projektet", "url": "https://example.dk/sydhavn"}],
        "latitude": 55.65,
        "longitude": 12.54,
        "regions": ["hovedstaden"],
        "version": 2,
    },
    {
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
    },
]

JSON_OBJECT_CASES = [
    {
        "ref": "object-1",
        "title": "Boligsocial helhedsplan i Gellerup",
        "description": "Omdannelse af Gellerupparken.",
        "municipalities": ["Aarhus"],
        "collaboration_forms": ["boligorganisation", "strategisk-partnerskab"],
        "themes": ["boligsocial", "omdannelse"],
    },
    {
        "ref": "object-2",
        "title": "Havnebad i Vejle",
        "description": "Et havnebad bygget af frivillige.",
        "municipalities": ["Vejle"],
        "collaboration_forms": ["foreninger-og-frivillige"],
        "themes": ["kultur-og-fritid"],
    },
]

JSONL_CASES = [
    {
        "ref": "jsonl-1",
        "title": "Bygningsfornyelse i Ribe",
        "description": "Bevaring af gamle købmandsgårde.",
        "municipality": "Esbjerg",
        "collaboration_forms": ["privat-investering"],
        "themes": ["kulturarv", "bygningsfornyelse"],
    },
    {
        "ref": "jsonl-2",
        "title": "Trafiksikre skoleveje",
        "description": "Skoleveje i Hjørring.",
        "municipalities": ["Hjørring"],
        "collaboration_forms": ["borgerinddragelse"],
        "themes": ["mobilitet", "tryghed"],
    },
    {
        "ref": "jsonl-3",
        "title": "Erhvervsskole i Thisted",
        "description": "Uddannelse og job.",
        "municipalities": ["Thisted"],
        "collaboration_forms": ["socialt-partnerskab"],
        "themes": ["beskaeftigelse"],
        "start_year": 2022,
    },
]


def write_workbook(path: Path) -> None:
    """An openpyxl workbook: numeric cells, an empty row 3, a date in a year column."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sager"
    sheet.append(
        ["Reference", "Titel", "Beskrivelse", "Kommune", "Startår", "Slutår", "Samarbejdsform",
         "Temaer", "Budget (kr.)", "Breddegrad", "Længdegrad", "Links", "Linktitler"]
    )  # fmt: skip
    sheet.append(
        ["xlsx-1", "Grønne gårde i Aalborg Øst", "Gårdene blev fornyet.\nBeboerne var med.",
         "Aalborg", 2015, 2018, "projektpartnerskab",
         "Boligsociale indsatser|Byrum og friarealer", 1250000.0, 57.03, 9.95,
         "https://example.dk/aalborg", "Projektside"]
    )  # fmt: skip
    sheet.append([])
    sheet.append(
        [1004, "'-Haller til kultur i Holstebro", "Gamle haller bruges til kultur.", "Holstebro",
         datetime(2019, 1, 1), None, "Projektpartnerskab", "kultur-og-fritid", "kr. 500.000",
         "56,36", "8,62", None, None]
    )  # fmt: skip
    sheet["E4"].number_format = "yyyy"
    workbook.save(path)


def make_samples(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "excel_cp1252_semicolon.csv").write_bytes(EXCEL_CP1252.encode("cp1252"))
    (out / "utf8_bom_comma.csv").write_bytes(UTF8_BOM_COMMA.encode("utf-8-sig"))
    (out / "utf8_tab.csv").write_bytes(UTF8_TAB.encode("utf-8"))
    (out / "utf16le_tab.txt").write_bytes(b"\xff\xfe" + UTF16_TAB.encode("utf-16-le"))
    (out / "bad_municipality.csv").write_bytes(BAD_MUNICIPALITY.encode("utf-8"))
    write_workbook(out / "workbook.xlsx")
    array = "[\n" + ",\n".join(f"  {json.dumps(c, ensure_ascii=False)}" for c in JSON_CASES)
    (out / "array.json").write_text(array + "\n]\n", encoding="utf-8")
    document = {"exported": "2024-05-01", "cases": JSON_OBJECT_CASES, "count": 2}
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    (out / "cases_object.json").write_text(text, encoding="utf-8")
    lines = [json.dumps(c, ensure_ascii=False) for c in JSONL_CASES]
    (out / "lines.jsonl").write_text(f"{lines[0]}\n{lines[1]}\n\n{lines[2]}\n", encoding="utf-8")
    (out / "empty_array.json").write_text("[]\n", encoding="utf-8")

    # Unreadable files.
    (out / "empty.csv").write_bytes(b"")
    (out / "bom_only.csv").write_bytes(b"\xef\xbb\xbf\r\n  \r\n")
    (out / "truncated.json").write_text(array[: array.index('"budget_dkk"') + 8], encoding="utf-8")
    (out / "noise.csv").write_bytes(random.Random(7).randbytes(2048))
    text = "Titel;Kommune\nIkke et regneark;Aarhus\n"
    (out / "not_a_workbook.xlsx").write_text(text, encoding="utf-8")
    (out / "no_known_header.csv").write_text("foo;bar;baz\n1;2;3\n", encoding="utf-8")
    text = f'{lines[0]}\n["not", "an", "object"]\n'
    (out / "jsonl_not_object.jsonl").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    make_samples(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
