"""``monitor config check``: every problem of feeds.toml *and* of every file it names, at once.

feeds.toml itself is validated by :mod:`monitor.config` (all its errors, with lines). Then what
it points at: taxonomy files (their own file and line), the Apprise configuration (present,
valid, not readable by others), ``files`` source paths, and alert rules whose ``notify`` tags
reach no target. Errors make the check fail; warnings are worth reading but nothing is lost.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from monitor import config as config_module
from monitor.config import Config, Locator, Overrides
from monitor.errors import ConfigError, ConfigErrors


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``file:line: key: message``, an error or a warning."""

    problem: ConfigError
    warning: bool = False

    def __str__(self) -> str:
        if not self.warning:
            return str(self.problem)
        p = self.problem
        return str(ConfigError(f"warning: {p.message}", file=p.file, line=p.line, key=p.key))


@dataclass(frozen=True, slots=True)
class Report:
    config: Config | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if not f.warning]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.warning]


def check(path: Path, overrides: Overrides | None = None) -> Report:
    """Validate the config and everything it names; never raises ConfigError."""
    try:
        config = config_module.load(path, overrides)
    except ConfigErrors as exc:
        return Report(None, tuple(Finding(e) for e in exc.errors))
    except ConfigError as exc:
        return Report(None, (Finding(exc),))
    where = Locator(path.read_text(encoding="utf-8"), str(path))
    findings = [
        *_taxonomy(config, where),
        *_files_sources(config, where),
        *_targets_and_rules(config, where),
    ]
    return Report(config, tuple(findings))


def _taxonomy(config: Config, where: Locator) -> list[Finding]:
    from monitor.tagging import load_taxonomy

    found = []
    readable: list[Path] = []
    for path in config.monitor.topics:
        resolved = config.resolve(path)
        problem = _unreadable(resolved)
        if problem:
            found.append(Finding(where.error(f"{resolved}: {problem}", "monitor", None, "topics")))
        else:
            readable.append(resolved)
    for taxonomy_file in readable:  # each file alone, so each shows its own first problem with its line
        try:
            load_taxonomy((taxonomy_file,))
        except ConfigError as exc:
            found.append(Finding(exc))
    return found


def _files_sources(config: Config, where: Locator) -> list[Finding]:
    found = []
    for index, source in enumerate(config.sources):
        if source.kind != "files" or not source.path:
            continue
        resolved = config.resolve(source.path)
        if not resolved.exists():
            message = f"{resolved} does not exist"
            found.append(Finding(where.error(message, "source", index, "path"), warning=not source.enabled))
        elif not os.access(resolved, os.R_OK):
            found.append(Finding(where.error(f"{resolved} is not readable", "source", index, "path")))
    return found


def _targets_and_rules(config: Config, where: Locator) -> list[Finding]:
    from monitor.alerts.targets import ENV_VAR, load_targets

    found = []
    setting = config.monitor.apprise_config
    if setting:
        resolved = config.resolve(setting)
        problem = _unreadable(resolved)
        if problem:
            return [Finding(where.error(f"{resolved}: {problem}", "monitor", None, "apprise_config"))]
        mode = resolved.stat().st_mode
        if mode & (stat.S_IROTH | stat.S_IWOTH):
            message = f"{resolved} holds credentials but others may read it: chmod 600 {resolved}"
            found.append(Finding(where.error(message, "monitor", None, "apprise_config"), warning=True))
    try:
        targets = load_targets(config)
    except ConfigError as exc:  # names the Apprise file or the environment variable
        at = exc if exc.file else where.error(exc.message, "monitor", None, "apprise_config")
        return [*found, Finding(at)]
    if not config.alerts:
        return found
    if not len(targets):
        message = (f"no alert targets: alerts wait in the outbox until you set"
                   f" [monitor] apprise_config or {ENV_VAR}")
        return [*found, Finding(where.error(message, "alert", 0, "notify"), warning=True)]
    known = sorted({t for target in targets for t in target.tags if not t.startswith("name:")})
    for index, rule in enumerate(config.alerts):
        if rule.notify and not targets.matching(rule.notify):
            message = (f"no target has the tag{'s' if len(rule.notify) > 1 else ''}"
                       f" {', '.join(rule.notify)}: these alerts would reach nobody"
                       f" (targets' tags: {', '.join(known) or 'none'})")
            found.append(Finding(where.error(message, "alert", index, "notify"), warning=True))
    return found


def _unreadable(path: Path) -> str | None:
    if not path.exists():
        return "no such file"
    if path.is_dir():
        return "is a directory, not a file"
    if not os.access(path, os.R_OK):
        return "not readable (permission denied)"
    return None
