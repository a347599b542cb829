"""Article extraction: HTML pages to title, text and metadata; plain text through the cleaner."""

from monitor.extract.article import extract_article
from monitor.extract.html import extract_html, extract_text

__all__ = ["extract_article", "extract_html", "extract_text"]
