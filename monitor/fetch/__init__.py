"""The network edge: one polite, bounded, SSRF-guarded HTTP client (see client.py)."""

from monitor.fetch.client import ANY, FEED, HTML, SITEMAP, Accept, Fetcher, FetchSettings

__all__ = ["ANY", "FEED", "HTML", "SITEMAP", "Accept", "FetchSettings", "Fetcher"]
