"""One spider per registry; shared mechanics in base.RegistrySpider."""
