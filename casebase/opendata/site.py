"""Where the open-data documents point: the site's address, its licence and its publisher."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ..datalicense import DataLicense

# Characters XML 1.0 cannot hold (a record's text may contain them; lxml would refuse it).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Site:
    """The addresses of one site, as the request that asks for a document names it.

    The paths are the contract's (docs/contract.md sections 6, 8 and 11); `base` is the
    scheme, host and any prefix the app is served under, without a trailing slash.
    """

    base: str
    license: DataLicense
    publisher: str
    contact_email: str | None = None

    def url(self, path: str, params: list[tuple[str, str]] | None = None) -> str:
        query = urlencode(params or [])
        return self.base + path + (f"?{query}" if query else "")

    @property
    def home(self) -> str:
        """The search page."""
        return self.url("/")

    def case_url(self, ref: str) -> str:
        """A case's permalink."""
        return self.url("/cases/" + quote(ref, safe=""))

    def search_url(self, name: str, key: str) -> str:
        """The search for one vocabulary value."""
        return self.url("/", [(name, key)])


def xml_text(text: str) -> str:
    """A text as XML can hold it: characters XML 1.0 forbids are left out."""
    return NOT_XML.sub("", text)


def text_excerpt(text: str | None, limit: int) -> str:
    """The start of a text, at most `limit` characters, cut at a word with an ellipsis."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:–-") + "…"
