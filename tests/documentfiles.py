# ruff: noqa: E501  (the formats' fixed XML reads best on one line)
"""Small real documents for tests, the bench and the seed documents: PDF, DOCX, ODT.

Written by hand to the formats' rules (a PDF with a Helvetica text layer in WinAnsi, DOCX and
ODT as their minimal zip packages), so no writer library is needed; the readers that
casebase/extract.py uses read them as any other file.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.sax.saxutils import escape


def _pdf_string(line: str) -> bytes:
    raw = line.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(pages: list[str], compress: bool = True) -> bytes:
    """A PDF with one page per text (lines as lines); an empty text is a page without text."""
    objects: list[bytes] = [b"", b""]  # 1 catalog, 2 page tree, filled in below
    font = len(objects) + 1
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    for text in pages:
        ops = [b"BT /F1 11 Tf 14 TL 50 780 Td"]
        ops += [_pdf_string(line) + b" Tj T*" for line in text.splitlines()]
        ops.append(b"ET")
        stream = b"\n".join(ops) if text else b""
        head = b"<< /Length %d" % len(zlib.compress(stream) if compress else stream)
        body = zlib.compress(stream) if compress else stream
        head += b" /Filter /FlateDecode >>" if compress else b" >>"
        objects.append(head + b"\nstream\n" + body + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content, font)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    return assemble_pdf(objects)


def assemble_pdf(objects: list[bytes]) -> bytes:
    """Numbered objects (1 the catalog) with their cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe6\xf8\xe5\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def make_pdf_bomb(megabytes: int = 1024) -> bytes:
    """A one-page PDF whose content stream inflates to `megabytes` of zeros (about 1 MB packed)."""
    packer = zlib.compressobj(9)
    chunk = b"\0" * (1024 * 1024)
    body = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>",
    ]
    return assemble_pdf(objects)


def make_docx(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    return _zip(files)


def make_odt(paragraphs: list[str]) -> bytes:
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    files = {
        "mimetype": "application/vnd.oasis.opendocument.text",
        "META-INF/manifest.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>"
        ),
        "content.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
            f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
        ),
    }
    return _zip(files)


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), text.encode(), compress_type=method)
    return out.getvalue()
