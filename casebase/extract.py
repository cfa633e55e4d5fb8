"""The text of a document, read in a child process bounded in time and memory.

`extract(data, content_type, limits)` runs this file as a script in a fresh interpreter (not
`-m casebase.extract`: the package would import Flask, numpy and the rest first). The child
lowers its own address-space limit (RLIMIT_AS) and CPU time before it imports a parser, reads
the file from stdin and writes {"pages", "text"} as JSON to stdout. A parser that runs out of
memory or time (a PDF bomb, a zip bomb in a DOCX) ends the child, never the server; the parent
kills it at the time limit. HTML and plain text are read in the server's own process: that is
linear in the file's size. Decisions in docs/decisions.md section 13.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser

MAX_TEXT_CHARS = 5_000_000  # of one document's text; beyond is not indexed
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
IN_CHILD = frozenset({PDF, DOCX, ODT})


@dataclass(frozen=True)
class ExtractLimits:
    seconds: int = 20
    memory_mb: int = 512


@dataclass(frozen=True)
class Extracted:
    text: str = ""
    pages: int | None = None
    error: str | None = None  # why no text could be read (the file is then refused)

    @property
    def has_text(self) -> bool:
        return any(c.isalnum() for c in self.text)


def extract(
    data: bytes, content_type: str, limits: ExtractLimits, text: str | None = None
) -> Extracted:
    """The text and page count of a document; `text` is a text or HTML file's decoded content."""
    if content_type not in IN_CHILD:
        decoded = text if text is not None else data.decode("utf-8", "replace")
        body = html_text(decoded) if content_type == "text/html" else decoded
        return Extracted(_clean(body))
    return _in_child(data, content_type, limits)


def _in_child(data: bytes, content_type: str, limits: ExtractLimits) -> Extracted:
    command = [
        sys.executable,
        "-I",
        os.path.abspath(__file__),
        content_type,
        str(limits.memory_mb),
        str(limits.seconds),
    ]
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=limits.seconds, check=False
        )
    except subprocess.TimeoutExpired:
        return Extracted(error=f"reading its text took longer than {limits.seconds} seconds")
    if done.returncode != 0:
        return Extracted(error=_child_failure(done.stderr))
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        return Extracted(error="the text reader gave no answer")
    if answer.get("error"):
        return Extracted(error=str(answer["error"])[:300])
    return Extracted(_clean(str(answer["text"])), answer.get("pages"))


def _child_failure(stderr: bytes) -> str:
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    if "MemoryError" in tail[0]:
        return "reading its text needed more memory than a document may use"
    return "the text reader stopped: " + (tail[0][:200] or "killed")


def _clean(text: str) -> str:
    text = text.replace("\x00", " ")[:MAX_TEXT_CHARS]
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


class _TextOfHtml(HTMLParser):
    """The visible text of an HTML page: no script or style, block ends as line breaks."""

    SKIP = frozenset({"script", "style", "template", "noscript", "head"})
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(source: str) -> str:
    parser = _TextOfHtml()
    parser.feed(source)
    parser.close()
    return "".join(parser.parts)


# --- the child ------------------------------------------------------------------------------


def _pdf(data: bytes) -> tuple[str, int]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("the PDF is encrypted with a password")
    texts, size = [], 0
    for page in reader.pages:
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()  # a stream past pypdf's limits raises here; extract_text is silent
        if size < MAX_TEXT_CHARS:
            texts.append(page.extract_text() or "")
            size += len(texts[-1])
    return "\n".join(texts), len(reader.pages)


def _docx(data: bytes) -> tuple[str, int | None]:
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(lines), None


def _odt(data: bytes) -> tuple[str, int | None]:
    import io

    from odf import teletype, text  # type: ignore[import-untyped]
    from odf.opendocument import load  # type: ignore[import-untyped]

    document = load(io.BytesIO(data))
    lines = [teletype.extractText(p) for p in document.getElementsByType(text.P)]
    return "\n".join(lines), None


def _child_main(content_type: str, memory_mb: str, seconds: str) -> None:
    import resource

    limit = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (int(seconds) + 1, int(seconds) + 2))
    data = sys.stdin.buffer.read()
    reader = {PDF: _pdf, DOCX: _docx, ODT: _odt}[content_type]
    try:
        body, pages = reader(data)
        answer: dict[str, object] = {"text": body[:MAX_TEXT_CHARS], "pages": pages}
    except MemoryError:
        raise
    except Exception as error:  # any parser failure is the file's, said in one line
        answer = {"error": f"its text could not be read ({type(error).__name__}: {error})"}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    _child_main(*sys.argv[1:4])
