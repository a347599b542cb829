"""Article extraction: HTML pages to title, text and metadata."""

from monitor.extract.html import extract_html, extract_text

__all__ = ["extract_html", "extract_text"]
