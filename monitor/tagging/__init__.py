"""Tagging: rare-earth elements, materials, companies, places, organisations and themes.

taxonomy = load_taxonomy()                 # shipped topics.toml (+ user files)
tags = tag(article.title, article.text, taxonomy)
cooccurs(tags, "element:*", "theme:export-controls")   # evidence sentences for alert rules
"""

from monitor.tagging.entry import TagInfo
from monitor.tagging.tagger import cooccurs, tag
from monitor.tagging.taxonomy import Taxonomy, load_taxonomy

__all__ = ["TagInfo", "Taxonomy", "cooccurs", "load_taxonomy", "tag"]
