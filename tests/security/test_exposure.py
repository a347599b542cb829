"""Least exposure: internal tables answer 403 by permission; with ``[serve] auth`` every page needs the
sign-in, and its password hash never lands in a file the monitor writes."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from datasette_auth_passwords.utils import hash_password

from monitor import serve
from monitor.datasette import exposure
from monitor.errors import ConfigError
from tests import demo_db as demo
from tests.security.conftest import DATABASE, Site

pytestmark = pytest.mark.security
INTERNAL = [*sorted(exposure.INTERNAL_TABLES), "articles_fts_data", "articles_fts_config"]
PUBLIC = [
    "articles",
    "article_list",
    "stories",
    "copies",
    "tags",
    "article_tags",
    "entities",
    "sources",
    "fetches",
    "alerts",
    "alert_attempts",
    "health_events",
]
PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("table", INTERNAL)
@pytest.mark.parametrize("suffix", ["", ".json", ".csv", "/1", "/1.json"])
def test_internal_tables_are_forbidden(hostile_site: Site, table: str, suffix: str) -> None:
    assert hostile_site.get(f"/{DATABASE}/{table}{suffix}").status_code == 403


@pytest.mark.parametrize("table", PUBLIC)
def test_public_tables_stay_open(hostile_site: Site, table: str) -> None:
    assert hostile_site.get(f"/{DATABASE}/{table}.json").status_code == 200


@pytest.mark.parametrize("path", ["/-/password-tool", "/-/password-tool/"])
def test_the_password_hashing_form_is_closed(hostile_site: Site, path: str) -> None:
    # Anyone could make the server run 480,000 PBKDF2 rounds per request.
    assert hostile_site.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/", f"/{DATABASE}", f"/{DATABASE}/article_list", f"/{DATABASE}/latest"])
def test_with_auth_off_no_page_offers_a_sign_in(hostile_site: Site, path: str) -> None:
    # Nobody can sign in without a configured password: no "Log in" menu link, no login form.
    page = hostile_site.get(path)
    assert page.status_code == 200
    assert "/-/login" not in page.text and "Log in" not in page.text
    assert hostile_site.get("/-/login").status_code == 404


def test_internal_tables_are_not_listed(hostile_site: Site) -> None:
    listed = {t["name"] for t in hostile_site.get(f"/{DATABASE}.json").json()["tables"]}
    assert not listed & set(INTERNAL)


def test_a_canned_query_over_an_internal_table_still_answers(hostile_site: Site) -> None:
    # Canned queries are reviewed SQL: the co-occurrence query reads mentions for everyone.
    assert hostile_site.get(f"/{DATABASE}/element_themes_sentences.json", element="").status_code == 200


# Authentication -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed_in_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("auth")
    db_path = folder / f"{DATABASE}.db"
    demo.build(db_path).close()
    hash_file = folder / "password.hash"
    hash_file.write_text(hash_password(PASSWORD) + "\n")
    base = demo.config(folder)
    cfg = dataclasses.replace(
        base,
        serve=dataclasses.replace(base.serve, auth=True, auth_user="desk", password_hash_file=str(hash_file)),
    )
    with demo.running(cfg, db_path) as url:
        yield url, folder


def _login(base: str, user: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text)
    assert token, form.text[:300]
    client.post("/-/login", data={"username": user, "password": password, "csrftoken": token.group(1)})
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/{DATABASE}",
        f"/{DATABASE}/article_list.json",
        f"/{DATABASE}/latest.atom",
        f"/{DATABASE}/articles/1",
        f"/{DATABASE}/sources.csv",
    ],
)
def test_with_auth_on_nothing_is_served_without_the_sign_in(
    signed_in_site: tuple[str, Path], path: str
) -> None:
    base, _ = signed_in_site
    assert httpx.get(base + path, timeout=30).status_code == 403


def test_with_auth_on_the_sign_in_is_offered(signed_in_site: tuple[str, Path]) -> None:
    base, _ = signed_in_site
    assert httpx.get(base + "/-/login", timeout=30).status_code == 200


def test_a_wrong_password_is_refused(signed_in_site: tuple[str, Path]) -> None:
    client = _login(signed_in_site[0], "desk", "wrong")
    try:
        assert "ds_actor" not in client.cookies
        assert client.get(f"/{DATABASE}/article_list.json").status_code == 403
    finally:
        client.close()


def test_the_sign_in_opens_the_public_pages_but_not_the_internal_tables(
    signed_in_site: tuple[str, Path],
) -> None:
    client = _login(signed_in_site[0], "desk", PASSWORD)
    try:
        assert "ds_actor" in client.cookies
        assert client.get(f"/{DATABASE}/article_list.json").status_code == 200
        assert client.get(f"/{DATABASE}/latest.atom").status_code == 200
        assert client.get(f"/{DATABASE}/pages").status_code == 403
    finally:
        client.close()


def test_the_password_hash_is_in_no_file_the_monitor_writes(signed_in_site: tuple[str, Path]) -> None:
    _, folder = signed_in_site
    stored = (folder / "password.hash").read_text().strip()
    for path in folder.iterdir():
        if path.name != "password.hash" and path.is_file():
            assert stored.encode() not in path.read_bytes(), path.name
    metadata = (folder / f"{DATABASE}.datasette.json").read_text()
    assert '"$env": "MONITOR_PASSWORD_HASH"' in metadata


def test_with_auth_off_pages_are_public(hostile_site: Site) -> None:
    assert hostile_site.get(f"/{DATABASE}/article_list.json").status_code == 200


def test_auth_without_a_password_hash_is_a_clear_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(serve.PASSWORD_HASH_ENV, raising=False)
    base = demo.config(tmp_path)
    cfg = dataclasses.replace(base, serve=dataclasses.replace(base.serve, auth=True))
    with pytest.raises(ConfigError, match="no password hash"):
        serve.start(cfg, tmp_path / "x.db")
