"""``monitor config check|show`` and ``monitor alert test``: the configuration and its targets."""

from __future__ import annotations

import sys

import click

from monitor.cli_base import MonitorGroup, State, fail, pass_state
from monitor.config import Config

# config ------------------------------------------------------------------------------------------


@click.group(name="config", cls=MonitorGroup)
def config_group() -> None:
    """Check feeds.toml (and every file it names) or show the configuration in effect."""


@config_group.command(name="check")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@pass_state
def config_check(state: State, strict: bool) -> None:
    """Check feeds.toml and every file it names; print each problem as file:line: key: message.

    Exit 0 when valid (warnings are printed), 2 when anything is wrong.
    """
    from monitor.config_check import check

    state.explicit = True  # a missing file is an error here
    report = check(state.config_path, state.overrides())
    for finding in report.findings:
        click.echo(str(finding), err=True)
    failed = report.errors or (strict and report.warnings)
    if failed or report.config is None:
        if len(report.findings) > 1:
            click.echo(f"{state.config_path}: {len(report.errors)} errors, {len(report.warnings)} warnings",
                       err=True)
        sys.exit(2)
    config = report.config
    warned = f", {len(report.warnings)} warnings" if report.warnings else ""
    click.echo(f"{config.path}: ok ({len(config.sources)} sources, {len(config.alerts)} alert rules{warned})")


@config_group.command(name="show")
@click.option("--defaults", is_flag=True, help="Every setting with its default and help instead.")
@click.option("--markdown", is_flag=True, help="The settings tables of the docs (Markdown).")
@pass_state
def config_show(state: State, defaults: bool, markdown: bool) -> None:
    """The configuration in effect as TOML, each value with where it comes from."""
    from monitor.commands import settings_markdown, settings_table

    if markdown:
        click.echo(settings_markdown())
        return
    if defaults:
        click.echo(settings_table())
        return
    from monitor.config_show import show

    click.echo(show(state.config(), state.overrides()), nl=False)


# alert -------------------------------------------------------------------------------------------


@click.group(cls=MonitorGroup)
def alert() -> None:
    """Alert targets and rules."""


@alert.command(name="test")
@click.option("--rule", default=None, help="Send to this rule's targets (default: every target).")
@pass_state
def alert_test(state: State, rule: str | None) -> None:
    """Send a sample alert and print each target's result."""
    from monitor.alerts import notify

    config = state.config()
    problem = _targets_problem(config, rule)
    if problem:
        fail(problem, 1)
    results = notify.send_test(config, rule)
    for result in results:
        click.echo(f"{result.target}\t{'ok' if result.ok else 'failed'}\t{result.error or ''}")
    if any(not r.ok for r in results):
        sys.exit(1)


def _targets_problem(config: Config, rule_name: str | None) -> str | None:
    """What stops a test alert from reaching anyone, said precisely; None when targets exist."""
    from monitor.alerts.notify import rule_named
    from monitor.alerts.targets import ENV_VAR, load_targets

    rule = rule_named(config, rule_name) if rule_name else None  # an unknown rule says so first
    targets = load_targets(config)  # a broken Apprise file raises ConfigError naming it
    if not len(targets):
        if config.monitor.apprise_config:
            return f"{config.resolve(config.monitor.apprise_config)} names no target"
        return f"no alert targets: set [monitor] apprise_config in {config.path.name} or {ENV_VAR}"
    if rule is None:
        return None
    if targets.matching(rule.notify):
        return None
    tags = sorted({t for target in targets for t in target.tags if not t.startswith("name:")})
    return (f"rule {rule.name!r} notifies {', '.join(rule.notify)}, but no target has that tag"
            f" (targets: {', '.join(t.alias for t in targets)}; their tags: {', '.join(tags) or 'none'})")
