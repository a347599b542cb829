"""Sources: where entries come from. One module per kind; ``files`` is local, the rest are web.

The pipeline asks a source kind for a :class:`~monitor.models.Listing` and never looks inside the kind.
``SourceState`` and ``Listing`` live in ``monitor.models`` (the store reads and writes them too);
they are re-exported here for the source kinds.
"""

from monitor.models import Listing, SourceState

__all__ = ["Listing", "SourceState"]
