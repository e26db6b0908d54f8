"""The sources labelwatch implements: one spider module per source, named after it."""

import pkgutil

from crawlers import spiders


def implemented_sources() -> list[str]:
    """Source names, without importing Scrapy (the dashboard uses this)."""
    return sorted(m.name for m in pkgutil.iter_modules(spiders.__path__) if m.name != "base")
