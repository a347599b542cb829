"""Checks the labelled market-number set (issue 16) for form before anyone scores against it.

    .venv/bin/python bench/numbers_cases_check.py            # errors, then counts per kind and language
    .venv/bin/python bench/numbers_cases_check.py --markdown # the counts as the table in the set's README

Stdlib only, so it runs before the extractor exists. It checks that every line parses, carries the
fields of NUMBERS_SPEC (id, lang, date, kind, text, expected), that ids are unique and say their
language and kind, that metrics come from the spec's taxonomy, that units, currencies and periods
have the normalised forms, that a distractor expects nothing and every other case expects something,
and that a Chinese case is written in Chinese. It exits 1 on any error.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "bench" / "data" / "numbers" / "cases.jsonl"

KINDS = ("price", "quota", "trade", "production", "capacity", "funding", "offtake", "distractor")
LANGS = ("en", "zh")
MATERIALS = (
    "ndpr-oxide", "ndpr-metal", "neodymium-oxide", "neodymium-metal", "praseodymium-oxide",
    "dysprosium-oxide", "dysprosium-iron", "terbium-oxide", "terbium-metal", "lanthanum-oxide",
    "cerium-oxide", "yttrium-oxide", "europium-oxide", "samarium-oxide", "gadolinium-oxide",
    "holmium-oxide", "mixed-carbonate", "concentrate", "ndfeb-magnet",
)
TRADED = ("rare-earths", "magnets", "concentrate", "oxides", "metals")
METRICS = frozenset(
    [f"price:{m}" for m in MATERIALS]
    + ["quota:mining", "quota:smelting"]
    + [f"{flow}:{what}" for flow in ("exports", "imports") for what in TRADED]
    + [f"production:{what}" for what in ("mining", "oxide", "magnets", "ndpr-oxide")]
    + [f"capacity:{stage}" for stage in ("mining", "separation", "refining", "metal", "magnets")]
    + ["funding", "offtake"]
)
# which case kind each metric family belongs to
KIND_OF = {
    "price": "price",
    "quota": "quota",
    "exports": "trade",
    "imports": "trade",
    "production": "production",
    "capacity": "capacity",
    "funding": "funding",
    "offtake": "offtake",
}
UNITS = (None, "t", "kg", "t/y")
CURRENCIES = (None, "CNY", "USD", "AUD", "EUR", "JPY", "CAD", "GBP", "HKD")
FIELDS = ("metric", "value", "value_high", "change_pct", "currency", "unit", "period")
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-\d{2})?|-Q[1-4]|-H[12]|-batch[1-9])?$")
# a cumulative stretch of months ("in the first ten months", "1-10月"): ISO 8601 interval of months
PERIOD_SPAN = re.compile(r"^(\d{4}-(0[1-9]|1[0-2]))/(\d{4}-(0[1-9]|1[0-2]))$")
DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
# "blind-" marks the held-out set (cases_blind.jsonl), written without looking at the extractor
ID = re.compile(r"^(?:blind-)?(en|zh)-([a-z]+)-(\d{3})$")
CJK = re.compile(r"[\u4e00-\u9fff]")


def is_day(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_observation(obs: Any, where: str) -> list[str]:
    if not isinstance(obs, dict):
        return [f"{where}: an observation must be an object"]
    errors = [f"{where}: missing field {name!r}" for name in FIELDS if name not in obs]
    extra = set(obs) - set(FIELDS) - {"subjects"}
    errors += [f"{where}: unknown field {name!r}" for name in sorted(extra)]
    if errors:
        return errors
    metric = obs["metric"]
    if metric not in METRICS:
        errors.append(f"{where}: metric {metric!r} is not in the taxonomy")
    for name in ("value", "value_high", "change_pct"):
        if obs[name] is not None and not is_number(obs[name]):
            errors.append(f"{where}: {name} must be a number or null")
    if obs["unit"] not in UNITS:
        errors.append(f"{where}: unit {obs['unit']!r} is not one of {UNITS}")
    if obs["currency"] not in CURRENCIES:
        errors.append(f"{where}: currency {obs['currency']!r} is not one of {CURRENCIES}")
    period = obs["period"]
    if period is not None:
        span = PERIOD_SPAN.match(period) if isinstance(period, str) else None
        if not (isinstance(period, str) and (PERIOD.match(period) or span)):
            errors.append(f"{where}: period {period!r} is not YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, YYYY-Hn, "
                          "YYYY-batchN or YYYY-MM/YYYY-MM")
        elif len(period) == 10 and not is_day(period):
            errors.append(f"{where}: period {period!r} is not a calendar day")
        elif span and span.group(1) >= span.group(3):
            errors.append(f"{where}: period span {period!r} does not run forward")
    if obs["value"] is None and obs["change_pct"] is None:
        errors.append(f"{where}: an observation needs a value or a change_pct")
    if obs["value_high"] is not None and (obs["value"] is None or obs["value_high"] <= obs["value"]):
        errors.append(f"{where}: value_high must be above value")
    if obs["value"] is not None:
        errors += check_units(metric, obs, where)
    subjects = obs.get("subjects")
    tag_names = isinstance(subjects, list) and all(isinstance(s, str) and ":" in s for s in subjects)
    if subjects is not None and not (subjects and tag_names):
        errors.append(f"{where}: subjects must be a non-empty list of tag names like 'company:lynas'")
    return errors


def check_units(metric: str, obs: dict[str, Any], where: str) -> list[str]:
    """A price is money per unit; a quota, production or offtake is tonnes; trade is tonnes or money."""
    family = metric.split(":")[0]
    unit, currency = obs["unit"], obs["currency"]
    if family == "price" and (unit not in ("t", "kg") or currency is None):
        return [f"{where}: a price needs a currency and a unit of t or kg"]
    if family == "funding" and (currency is None or unit is not None):
        return [f"{where}: funding is an amount of money (currency, no unit)"]
    if family in ("quota", "production") and (unit != "t" or currency is not None):
        return [f"{where}: {family} is a tonnage (unit t, no currency)"]
    if family in ("capacity", "offtake") and (unit not in ("t", "t/y") or currency is not None):
        return [f"{where}: {family} is a tonnage (unit t or t/y, no currency)"]
    if family in ("exports", "imports") and (unit is None) == (currency is None):
        return [f"{where}: trade is either a tonnage (unit t) or a value (currency), not both"]
    if family in ("exports", "imports") and unit not in (None, "t"):
        return [f"{where}: a trade tonnage has unit t"]
    return []


def check_case(case: Any, where: str) -> list[str]:
    if not isinstance(case, dict):
        return [f"{where}: a case must be a JSON object"]
    missing = [name for name in ("id", "lang", "date", "kind", "text", "expected") if name not in case]
    if missing:
        return [f"{where}: missing {', '.join(missing)}"]
    errors: list[str] = []
    match = ID.match(str(case["id"]))
    if not match:
        errors.append(f"{where}: id {case['id']!r} is not like en-price-001")
    elif (match.group(1), match.group(2)) != (case["lang"], case["kind"]):
        errors.append(f"{where}: id {case['id']!r} does not say its lang and kind")
    if case["lang"] not in LANGS:
        errors.append(f"{where}: lang must be one of {LANGS}")
    if case["kind"] not in KINDS:
        errors.append(f"{where}: kind must be one of {KINDS}")
    if not (isinstance(case["date"], str) and DATE.match(case["date"]) and is_day(case["date"])):
        errors.append(f"{where}: date {case['date']!r} is not YYYY-MM-DD")
    text = case["text"]
    if not isinstance(text, str) or not text.strip():
        errors.append(f"{where}: empty text")
    elif (case["lang"] == "zh") != bool(CJK.search(text)):
        errors.append(f"{where}: lang {case['lang']!r} does not fit the script of the text")
    expected = case["expected"]
    if not isinstance(expected, list):
        return [*errors, f"{where}: expected must be a list"]
    if (case["kind"] == "distractor") != (not expected):
        errors.append(f"{where}: a distractor expects nothing, every other case expects something")
    for n, obs in enumerate(expected):
        errors += check_observation(obs, f"{where} obs {n}")
    families = {str(obs.get("metric", "")).split(":")[0] for obs in expected if isinstance(obs, dict)}
    kinds = {KIND_OF.get(family) for family in families}
    if expected and case["kind"] != "distractor" and case["kind"] not in kinds:
        errors.append(f"{where}: kind {case['kind']!r} but no observation of that kind")
    return errors


def load(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    cases: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path.name}:{number}"
        if not line.strip():
            errors.append(f"{where}: blank line")
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: not JSON ({exc})")
            continue
        problems = check_case(case, where)
        errors += problems
        if isinstance(case, dict) and "id" in case:
            if case["id"] in seen:
                errors.append(f"{where}: duplicate id {case['id']!r}")
            seen.add(case["id"])
        if not problems:
            cases.append(case)
    return cases, errors


def counts_table(cases: list[dict[str, Any]]) -> str:
    by = Counter((c["kind"], c["lang"]) for c in cases)
    observations = Counter(c["lang"] for c in cases for _ in c["expected"])
    lines = ["| kind | en | zh | total |", "|---|---:|---:|---:|"]
    for kind in KINDS:
        en, zh = by[(kind, "en")], by[(kind, "zh")]
        lines.append(f"| {kind} | {en} | {zh} | {en + zh} |")
    en = sum(v for (_, lang), v in by.items() if lang == "en")
    zh = sum(v for (_, lang), v in by.items() if lang == "zh")
    lines.append(f"| **all cases** | {en} | {zh} | {en + zh} |")
    lines.append(f"| expected observations | {observations['en']} | {observations['zh']} | "
                 f"{observations['en'] + observations['zh']} |")
    two = sum(1 for c in cases if len(c["expected"]) >= 2)
    lines.append("")
    lines.append(f"Cases with two or more observations: {two}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=CASES)
    parser.add_argument("--markdown", action="store_true", help="print only the counts table")
    args = parser.parse_args(argv)
    cases, errors = load(args.path)
    for error in errors:
        print(error, file=sys.stderr)
    print(counts_table(cases))
    if not args.markdown:
        print(f"\n{len(cases)} valid cases, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
