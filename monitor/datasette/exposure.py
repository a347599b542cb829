"""What Datasette may show: internal tables are refused by permission (403), not only hidden.

Hiding a table (``"hidden": true`` in the metadata) only drops it from the index page; its URL still
answers. These tables hold nothing a reader needs and some hold what nobody should browse: raw page
HTML (``pages``), the fetch bookkeeping (``seen``), dedup indexes, the daemon's state, the schema
history and FTS internals. Canned queries still read them (a canned query is reviewed SQL).
"""

from __future__ import annotations

INTERNAL_TABLES = frozenset(
    {
        "pages",
        "seen",
        "mentions",
        "article_bands",
        "signatures",
        "state",
        "_sqlite_migrations",
        "articles_fts",
    }
)
_INTERNAL_PREFIXES = ("articles_fts_", "sqlite_")  # FTS5 shadow tables; SQLite's own tables
TABLE_ACTIONS = frozenset(
    {"view-table", "insert-row", "delete-row", "update-row", "alter-table", "drop-table"}
)


def is_internal(table: str) -> bool:
    """True for a table no visitor may open, whatever its authentication."""
    return table in INTERNAL_TABLES or table.startswith(_INTERNAL_PREFIXES)


def allowed(action: str, resource: object) -> bool | None:
    """False for any table action on an internal table; None (no opinion) for everything else."""
    if action not in TABLE_ACTIONS or not isinstance(resource, tuple | list) or len(resource) != 2:
        return None
    return False if is_internal(str(resource[1])) else None


# datasette-auth-passwords' hashing form: 480,000 PBKDF2 rounds per POST, for anyone who asks. Hashes
# are made with `datasette hash-password` on the server instead.
CLOSED_PATHS = ("/-/password-tool",)
# Its sign-in form, closed too when [serve] auth is off (no password configured: nobody can sign in).
SIGN_IN_PATHS = ("/-/login",)
AUTH_PLUGIN = "datasette-auth-passwords"  # its configuration key
AUTH_PLUGIN_MODULE_NAME = "auth_passwords"  # its name in Datasette's plugin manager (entry point)


def auth_on(plugin_config: object) -> bool:
    """True when the sign-in plugin is configured with a password hash ([serve] auth = true)."""
    return isinstance(plugin_config, dict) and any(k.endswith("_password_hash") for k in plugin_config)


def closed(path: str, base_url: str = "/", *, auth: bool = True) -> bool:
    """True for a path no visitor may open (answered 404)."""
    prefix = base_url.rstrip("/")
    paths = CLOSED_PATHS if auth else CLOSED_PATHS + SIGN_IN_PATHS
    return any(path.rstrip("/") in (p, prefix + p) for p in paths)
