"""deploy/: the systemd units pass systemd's own checks, and the install scripts are idempotent.

Nothing here boots systemd or touches this machine's root: units are verified offline from a
temporary copy, and the scripts run under DESTDIR.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = ["monitor.service", "monitor-datasette.service"]
INSTALLED_BINARY = "/opt/rare-earth-monitor/venv/bin/monitor"
MAX_EXPOSURE = 2.0

needs_systemd = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")


def unit_copies(tmp_path: Path) -> list[Path]:
    """The units with ExecStart pointing at an existing binary: verify checks that it exists."""
    copies = []
    for unit in UNITS:
        text = (DEPLOY / unit).read_text().replace(INSTALLED_BINARY, sys.executable)
        copy = tmp_path / unit
        copy.write_text(text)
        copies.append(copy)
    return copies


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, timeout=60, check=False)


@needs_systemd
@pytest.mark.systemd
def test_units_verify_without_warnings(tmp_path: Path) -> None:
    result = analyze("verify", "--man=no", *map(str, unit_copies(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # unknown keys are only warnings: none allowed


@needs_systemd
@pytest.mark.systemd
def test_verify_would_catch_a_misspelt_directive(tmp_path: Path) -> None:
    unit = unit_copies(tmp_path)[0]
    unit.write_text(unit.read_text().replace("UMask=", "UMaks="))
    assert "Unknown key" in analyze("verify", "--man=no", str(unit)).stderr


@needs_systemd
@pytest.mark.systemd
@pytest.mark.parametrize("unit", UNITS)
def test_security_exposure_is_low(unit: str) -> None:
    result = analyze("security", "--offline=yes", "--no-pager", str(DEPLOY / unit))
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert found, result.stdout + result.stderr
    assert float(found.group(1)) <= MAX_EXPOSURE


@pytest.mark.parametrize(
    ("unit", "required"),
    [
        ("monitor.service", ["Type=notify", "NotifyAccess=main", "WatchdogSec=", "Restart=on-failure",
                             "StateDirectory=monitor", "ConfigurationDirectory=monitor", "LoadCredential=",
                             "MemoryDenyWriteExecute=yes", "ExecReload=/bin/kill -HUP $MAINPID",
                             "run --no-serve"]),
        ("monitor-datasette.service", ["BindsTo=monitor.service", "After=monitor.service",
                                       "ReadOnlyPaths=/var/lib/monitor", " serve"]),
    ],
)
def test_units_declare_what_the_daemon_relies_on(unit: str, required: list[str]) -> None:
    text = (DEPLOY / unit).read_text()
    assert [r for r in required if r not in text] == []


def test_stop_deadline_fits_inside_the_units_stop_timeout() -> None:
    from monitor.daemon import SHUTDOWN_DEADLINE

    timeout = re.search(r"^TimeoutStopSec=(\d+)$", (DEPLOY / "monitor.service").read_text(), re.M)
    assert timeout and int(timeout.group(1)) > SHUTDOWN_DEADLINE


def test_datasette_unit_cannot_write_the_state_directory() -> None:
    text = (DEPLOY / "monitor-datasette.service").read_text()
    assert "StateDirectory=" not in text  # it would make /var/lib/monitor writable
    assert "ReadWritePaths=" not in text


def run_script(name: str, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DESTDIR": str(root), "INSTALL_VENV": "0"}
    return subprocess.run(["sh", str(DEPLOY / name), *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_install_twice_changes_nothing_and_keeps_edited_config(tmp_path: Path) -> None:
    first = run_script("install.sh", tmp_path)
    assert first.returncode == 0, first.stderr
    feeds = tmp_path / "etc/monitor/feeds.toml"
    feeds.write_text(feeds.read_text() + "\n# edited by the user\n")
    before = snapshot(tmp_path)
    second = run_script("install.sh", tmp_path)
    assert second.returncode == 0, second.stderr
    assert snapshot(tmp_path) == before
    assert {"etc/systemd/system/monitor.service", "etc/systemd/system/monitor-datasette.service",
            "etc/monitor/apprise.yml"} <= set(before)


def test_installed_credential_and_state_are_private(tmp_path: Path) -> None:
    assert run_script("install.sh", tmp_path).returncode == 0
    assert (tmp_path / "etc/monitor/apprise.yml").stat().st_mode & 0o077 == 0
    assert (tmp_path / "var/lib/monitor").stat().st_mode & 0o077 == 0


def test_example_config_is_valid() -> None:
    from monitor.config import load

    config = load(DEPLOY / "feeds.example.toml")
    assert config.monitor.db == "/var/lib/monitor/monitor.db"  # the path the units pass with --db
    credential = '# apprise_config = "/run/credentials/monitor.service/apprise.yml"'
    assert credential in (DEPLOY / "feeds.example.toml").read_text()


@pytest.mark.parametrize(
    ("args", "data_kept"),
    [((), True), (("--purge",), False)],
)
def test_uninstall_keeps_data_unless_purge(tmp_path: Path, args: tuple[str, ...], data_kept: bool) -> None:
    assert run_script("install.sh", tmp_path).returncode == 0
    (tmp_path / "var/lib/monitor/monitor.db").write_bytes(b"data")
    result = run_script("uninstall.sh", tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "etc/systemd/system/monitor.service").exists()
    assert (tmp_path / "var/lib/monitor/monitor.db").exists() == data_kept
    assert (tmp_path / "etc/monitor/feeds.toml").exists() == data_kept
