"""How a market number is written for people: in alerts, on charts and by ``monitor numbers``."""

from __future__ import annotations


def number(value: float | None) -> str:
    """``620,000``, ``62.5``, ``1,720,000``: whole values with thousands separators, others to six
    significant digits; ``?`` when there is none."""
    if value is None:
        return "?"
    return f"{value:,.0f}" if value == int(value) and abs(value) >= 100 else f"{value:,.6g}"


def amount(value: float | None, value_high: float | None, currency: str | None, unit: str | None) -> str:
    """``620,000 CNY/t``, ``60–65 USD/kg``, ``270,000 t``, ``400,000,000 USD``."""
    shown = number(value) + (f"–{number(value_high)}" if value_high is not None else "")
    if currency and unit:
        return f"{shown} {currency}/{unit}"
    return f"{shown} {currency or unit or ''}".rstrip()
