"""labelwatch crawlers: one Scrapy spider per registry, shared mechanics in base classes."""
