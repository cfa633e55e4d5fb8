"""Write the seed documents (seed_data/documents/): stand-ins written for casebase.

The real reports behind these cases are not shipped: their licences do not allow it. Each
stand-in says so, names the real document and where it is, and says what kind of content it
would hold, in words written for this project (no text is copied). `casebase seed` attaches
them to their cases as listed in documents.json. Run from the repository root:

    .venv/bin/python seed_data/documents/make_documents.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "tests"))

from documentfiles import make_docx, make_odt, make_pdf  # noqa: E402

NOTE = (
    "Dette dokument er skrevet til casebase som stedfortræder for den rigtige rapport, som ikke "
    "må distribueres her. Den rigtige rapport: {source}."
)
DOCUMENTS = [
    {
        "ref": "genbyg-hovedgaden-moerke",
        "file": "evaluering-genbyg-moerke.pdf",
        "title": "Evaluering af byfornyelsen i Mørke (stedfortræder)",
        "kind": "evaluering",
        "year": 2019,
        "source": "Evaluering af byfornyelsen i Mørke, https://xn--mrke-gra.dk/evaluering-af-byfornyelsen/",
        "pages": [
            "Evaluering af byfornyelsen i Mørke\n{note}",
            "Hvad den rigtige evaluering handler om\n"
            "En evaluering af et forsøg med genbrugte byggematerialer på en hovedgade beskriver\n"
            "typisk, hvordan materialerne blev fundet, hvad genbruget kostede, hvordan\n"
            "husejerne blev inddraget, og hvad andre kommuner kan lære af forsøget.\n"
            "Ord at søge på: genbrugsmursten, materialebank, cirkulær byfornyelse.",
        ],
    },
    {
        "ref": "omraadefornyelse-durup",
        "file": "program-omraadefornyelse-durup.docx",
        "title": "Program for områdefornyelse i Durup (stedfortræder)",
        "kind": "plan",
        "year": 2008,
        "source": "Områdefornyelse i Durup – program 18.12.2008, http://docplayer.dk/1752795-Omraadefornyelse-i-durup-program-18-12-2008.html",
        "paragraphs": [
            "Program for områdefornyelse i Durup",
            "{note}",
            "Et program for områdefornyelse beskriver typisk områdets udfordringer, de projekter, "
            "kommunen vil gennemføre, budgettet og finansieringen – her med en lokal "
            "sparekassefond som medfinansierende partner – og hvordan borgerne inddrages.",
            "Ord at søge på: sparekassefond, medfinansiering, styregruppe.",
        ],
    },
    {
        "ref": "mandemarke-groen-plan",
        "file": "slutrapport-mandemarke-groen-plan.odt",
        "title": "Slutrapport for Mandemarke Grøn Plan (stedfortræder)",
        "kind": "rapport",
        "year": 2011,
        "source": "Slutrapport for projekt Mandemarke Grøn Plan, http://docplayer.dk/536889-Slutrapport-for-projekt-mandemarke-groen-plan.html",
        "paragraphs": [
            "Slutrapport for Mandemarke Grøn Plan",
            "{note}",
            "En slutrapport for et landsbyprojekt beskriver typisk, hvad bylauget satte sig for, "
            "hvilke tilladelser og midler der skulle til, hvordan arbejdet blev gjort af "
            "frivillige, og hvordan det færdige sted bruges.",
            "Ord at søge på: mosegenopretning, pumpehuset, bylaug.",
        ],
    },
    {
        "ref": "klimakvarter-skt-kjelds",
        "file": "klimakvarter-vision.txt",
        "title": "Københavns første klimakvarter – vision (stedfortræder)",
        "kind": "publikation",
        "year": 2013,
        "source": "Københavns første klimakvarter – vision, baggrund og projekter, http://docplayer.dk/2565684-Koebenhavns-foerste-klimakvarter-vision-baggrund-og-projekter.html",
        "paragraphs": [
            "Københavns første klimakvarter – vision, baggrund og projekter",
            "{note}",
            "En sådan publikation beskriver typisk visionen for et klimatilpasset kvarter, hvordan "
            "regnvand fra skybrud skal ledes gennem grønne byrum, og hvilke projekter der indgår.",
            "Ord at søge på: skybrudsvej, regnbede, klimatilpasning.",
            "",
            "Also in English: a stand-in written for casebase; the real publication is named "
            "above.",
        ],
    },
    {
        "ref": "klimakvarter-skt-kjelds",
        "file": "skannet-plakat.pdf",
        "title": "Skannet plakat (stedfortræder uden tekstlag)",
        "kind": "andet",
        "year": 2012,
        "source": "none: an empty page standing in for a scanned document without a text layer",
        "pages": [""],
    },
]


def main() -> None:
    manifest = []
    for item in DOCUMENTS:
        note = NOTE.format(source=item["source"])
        name = item["file"]
        if "pages" in item:
            data = make_pdf([page.format(note=note) for page in item["pages"]])
        else:
            lines = [line.format(note=note) for line in item["paragraphs"]]
            if name.endswith(".docx"):
                data = make_docx(lines)
            elif name.endswith(".odt"):
                data = make_odt(lines)
            else:
                data = ("\n".join(lines) + "\n").encode("utf-8")
        (HERE / name).write_bytes(data)
        manifest.append({k: item[k] for k in ("ref", "file", "title", "kind", "year", "source")})
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    (HERE / "documents.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
