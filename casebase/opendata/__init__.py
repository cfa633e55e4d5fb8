"""Open data (docs/contract.md section 11): the documents others follow and harvest, built from
the service's data without Flask. The web layer (casebase/web/opendata.py) serves them.

- feed.py       Atom 1.0 feeds of searches (feedgen)
- catalog.py    the DCAT-AP description of the dataset, as JSON-LD
- schemaorg.py  schema.org JSON-LD of one case, for its page
- sitemap.py    sitemaps and robots.txt
- site.py       where the documents point: the site's addresses, licence and publisher
"""

from .catalog import catalog_jsonld
from .feed import FEED_SIZE, atom_feed
from .schemaorg import case_jsonld
from .site import Site, text_excerpt
from .sitemap import SITEMAP_MAX_URLS, robots_txt, sitemap_index_xml, sitemap_xml

__all__ = [
    "FEED_SIZE",
    "SITEMAP_MAX_URLS",
    "Site",
    "atom_feed",
    "case_jsonld",
    "catalog_jsonld",
    "robots_txt",
    "sitemap_index_xml",
    "sitemap_xml",
    "text_excerpt",
]
