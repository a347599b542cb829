"""Datasette plugin (loaded with ``--plugins-dir``): least exposure and bounded SQL functions.

Hooks only: the rules live in :mod:`monitor.datasette.exposure` and the functions in
:mod:`monitor.datasette.bounded` (pure, tested).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar, cast

from datasette import hookimpl as _datasette_hookimpl
from datasette.plugins import pm
from datasette.utils.asgi import Response

from monitor.datasette import bounded, exposure

_Hook = TypeVar("_Hook", bound=Callable[..., Any])


def hookimpl(function: _Hook) -> _Hook:
    """Datasette's (untyped) hookimpl marker, keeping the hook's signature for mypy."""
    return cast(_Hook, _datasette_hookimpl(function))


@hookimpl
def permission_allowed(actor: Any, action: str, resource: Any) -> bool | None:
    """Internal tables answer 403 to everyone, signed in or not."""
    return exposure.allowed(action, resource)


@hookimpl
def startup(datasette: Any) -> None:
    """Without ``[serve] auth`` the sign-in plugin has no password to check: take it out, so no page
    offers a "Log in" menu link (its ``menu_links`` hook) to a sign-in that cannot succeed."""
    if not exposure.auth_on(datasette.plugin_config(exposure.AUTH_PLUGIN)):
        plugin = pm.get_plugin(exposure.AUTH_PLUGIN_MODULE_NAME)
        if plugin is not None:
            pm.unregister(plugin)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Paths some plugin opens that a public instance must not (see exposure.CLOSED_PATHS): 404; with
    the sign-in off, its form too."""
    auth = exposure.auth_on(datasette.plugin_config(exposure.AUTH_PLUGIN))

    def wrap(app: Any) -> Any:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and exposure.closed(
                scope.get("path", ""), datasette.setting("base_url"), auth=auth
            ):
                await Response.text("Not found", status=404).asgi_send(send)
                return
            await app(scope, receive, send)

        return guarded

    return wrap


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """SQL functions the canned queries use (each reads a bounded window of its input), and mmap reads."""
    bounded.register(conn)
    bounded.map_file(conn)
