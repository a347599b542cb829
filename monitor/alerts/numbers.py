"""Number alerts: ``[[alert]]`` rules with a ``metric`` fire on number statements (issue 16).

:func:`fire` is pure: one new statement, the statement before it in its series and whether its
period was stated before, in; the alert (or None) out. A rule fires when every condition it sets
holds:

- ``above``/``below``: the value crosses the level (the previous statement was not beyond it, or
  there is none);
- ``change_pct``: the change vs the previous statement of the series (same metric, currency and
  unit) drawn within ``window`` before it reaches the threshold (10: +10 % or more, -10: -10 % or
  less). With no previous statement in the window, the change the sentence states counts;
- ``new``: no statement gave the metric a value for this period before (a new quota, a new batch).

One message per rule and source statement, ever: the outbox key is the rule and the statement.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from monitor.links import article_url, row_url, safe_url
from monitor.models import Alert
from monitor.numbers.display import amount, number
from monitor.numbers.metrics import labels
from monitor.store.observations import StoredObservation

if TYPE_CHECKING:  # the rules' type only: rules import the renderer, which renders number alerts
    from monitor.alerts.rules import Rule


@dataclass(frozen=True, slots=True)
class Seen:
    """What a rule compares a statement with: the one before it and whether its period is known."""

    previous: StoredObservation | None
    period_known: bool


@dataclass(frozen=True, slots=True)
class NumberFacts:
    """Everything a number alert shows; stored as JSON in the outbox row, rendered at send time."""

    rule: str
    metric: str
    value: float | None
    value_high: float | None
    currency: str | None
    unit: str | None
    written: str
    period: str | None
    observed: str
    change_pct: float | None  # the change the rule saw (computed, or stated when nothing came before)
    computed: bool  # change_pct was computed from the previous statement (else the sentence states it)
    previous_value: float | None
    previous_period: str | None
    previous_observed: str | None
    previous_outlet: str | None
    sentence: str
    outlet: str
    url: str
    reason: str
    observation_id: int
    article_id: int
    story_id: int
    label: str = ""  # the metric as people say it ("NdPr oxide price"); outbox rows before it have none

    def to_json(self) -> str:
        return json.dumps({"kind": "number", **asdict(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, payload: str) -> NumberFacts:
        data = json.loads(payload)
        data.pop("kind", None)
        return cls(**data)


def wants(rule: Rule, obs: StoredObservation) -> bool:
    """The rule watches this statement's metric (and currency, unit when it names them)."""
    if not rule.is_number_rule or not any(fnmatchcase(obs.metric, p) for p in rule.metric):
        return False
    if rule.currency and (obs.currency or "").upper() != rule.currency.upper():
        return False
    return not (rule.unit and obs.unit != rule.unit)


def change(obs: StoredObservation, previous: StoredObservation | None) -> tuple[float | None, bool]:
    """(percent change, computed?) vs the previous statement, else what the sentence states."""
    if previous is not None and obs.value is not None and previous.value:
        return (obs.value - previous.value) * 100.0 / previous.value, True
    return obs.change_pct, False


def fire(rule: Rule, obs: StoredObservation, seen: Seen, url: str) -> Alert | None:
    """The alert ``rule`` raises for the new statement ``obs``, or None."""
    if not wants(rule, obs):
        return None
    reasons = []
    before = seen.previous.value if seen.previous else None
    if rule.above is not None:
        if obs.value is None or obs.value <= rule.above or (before is not None and before > rule.above):
            return None
        reasons.append(f"above {number(rule.above)}")
    if rule.below is not None:
        if obs.value is None or obs.value >= rule.below or (before is not None and before < rule.below):
            return None
        reasons.append(f"below {number(rule.below)}")
    pct, computed = change(obs, seen.previous)
    if rule.change_pct is not None:
        if pct is None or (pct < rule.change_pct if rule.change_pct > 0 else pct > rule.change_pct):
            return None
        reasons.append(f"change {pct:+.1f} % (rule {rule.change_pct:+g} %)")
    if rule.new:
        if seen.period_known:
            return None
        reasons.append(f"new {obs.metric} for {obs.period or obs.observed}")
    prev = seen.previous
    facts = NumberFacts(
        rule=rule.name, metric=obs.metric, value=obs.value, value_high=obs.value_high,
        currency=obs.currency, unit=obs.unit, written=obs.written, period=obs.period,
        observed=obs.observed, change_pct=pct, computed=computed,
        previous_value=prev.value if prev else None, previous_period=prev.period if prev else None,
        previous_observed=prev.observed if prev else None, previous_outlet=prev.outlet if prev else None,
        sentence=obs.sentence, outlet=obs.outlet, url=url, reason="; ".join(reasons),
        observation_id=obs.id, article_id=obs.article_id, story_id=obs.story_id,
        label=metric_label(obs.metric),
    )
    return Alert(
        rule=rule.name,
        story_id=obs.story_id,
        article_id=obs.article_id,
        notify=rule.notify,
        title=title(facts),
        body=text(facts, ""),
        reason=facts.reason,
        payload=facts.to_json(),
        gather=rule.gather,
    )


def dedup_key(rule: str, statement: str) -> str:
    """The outbox key: one message per rule and source statement (the story, metric, value, period)."""
    digest = hashlib.sha256(statement.encode()).hexdigest()[:24]
    return f"{rule}:number:{digest}"


# Rendering ------------------------------------------------------------------------------------


def metric_label(metric: str) -> str:
    """"NdPr oxide price" for ``price:ndpr-oxide`` (the metric itself when the taxonomy has no label)."""
    return labels().get(metric, metric)


def title(facts: NumberFacts) -> str:
    """``NdPr oxide price up 12.7 % to 620,000 CNY/t (2025-05)``: what a reader scans in a chat list."""
    now = amount(facts.value, facts.value_high, facts.currency, facts.unit)
    when = f" ({facts.period})" if facts.period else ""
    name = facts.label or facts.metric
    if facts.change_pct is not None:
        way = "up" if facts.change_pct >= 0 else "down"
        return f"{name} {way} {abs(facts.change_pct):.1f} % to {now}{when}"
    return f"{name}: {now}{when}"


def lines(facts: NumberFacts, database_url: str) -> list[str]:
    """The message as lines of plain text: the number, the previous one, the change, the evidence."""
    now = amount(facts.value, facts.value_high, facts.currency, facts.unit)
    out = [f"{facts.metric}: {now} (written “{facts.written}”) for {facts.period or facts.observed}"]
    if facts.previous_value is not None:
        before = amount(facts.previous_value, None, facts.currency, facts.unit)
        out.append(f"Previous: {before} for {facts.previous_period or facts.previous_observed}"
                   f" ({facts.previous_outlet})")
    if facts.change_pct is not None:
        how = "vs the previous statement" if facts.computed else "as stated"
        out.append(f"Change: {facts.change_pct:+.1f} % {how}")
    out.append(f"Why: {facts.reason}")
    out.append(f"Evidence ({facts.outlet}): “{facts.sentence}”")
    link = safe_url(facts.url)
    if link:
        out.append(f"Article: {link}")
    if database_url:
        out.append(f"Observation: {row_url(database_url, 'observations', facts.observation_id)}")
        out.append(f"In the monitor: {article_url(database_url, facts.article_id)}")
    return out


def text(facts: NumberFacts, database_url: str) -> str:
    return "\n".join(lines(facts, database_url))


def _h(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def render(payload: str, fmt: str, database_url: str) -> str:
    """The body of a number alert in a target's format (markdown, html or text)."""
    facts = NumberFacts.from_json(payload)
    body = lines(facts, database_url)
    if fmt == "html":
        return "".join(f"<p>{_h(line)}</p>" for line in body)
    if fmt == "markdown":
        return "\n\n".join(_md(line) for line in body)
    return "\n".join(body)


def _md(line: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in line)


def structured(payload: str, database_url: str) -> dict[str, Any]:
    """The facts as fields of a JSON webhook, with the links."""
    data = json.loads(payload)
    if database_url:
        data["observation_url"] = row_url(database_url, "observations", data["observation_id"])
        data["monitor_url"] = article_url(database_url, data["article_id"])
    data["url"] = safe_url(data.get("url"))
    return dict(data)
