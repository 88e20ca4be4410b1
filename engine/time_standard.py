"""Mutu baku *Waktu*: the time standards analysts write ("15 menit", "3 hari kerja") as durations.

A standard is counted in working time: minutes and hours are working minutes, a day is a
working day, a week is five working days. Ranges ("1-2 hari") take the upper bound, since
the standard is the promise made to the citizen.
"""

import re
from dataclasses import dataclass

_UNITS: dict[str, tuple[str, int]] = {
    # unit word -> (kind, multiplier); kinds are "minutes" and "days"
    "detik": ("seconds", 1),
    "menit": ("minutes", 1),
    "mnt": ("minutes", 1),
    "minute": ("minutes", 1),
    "minutes": ("minutes", 1),
    "min": ("minutes", 1),
    "jam": ("minutes", 60),
    "hour": ("minutes", 60),
    "hours": ("minutes", 60),
    "hari": ("days", 1),
    "hari kerja": ("days", 1),
    "day": ("days", 1),
    "days": ("days", 1),
    "working day": ("days", 1),
    "working days": ("days", 1),
    "minggu": ("days", 5),
    "pekan": ("days", 5),
    "week": ("days", 5),
    "weeks": ("days", 5),
    "bulan": ("days", 22),
    "month": ("days", 22),
    "months": ("days", 22),
}

# A working calendar adds a standard day by day: an absurd one would stall every new step.
MAX_WORKING_DAYS = 1000
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_PATTERN = re.compile(
    rf"^{_NUMBER}(?:\s*(?:-|–|s/d|s\.d\.|sampai|to)\s*{_NUMBER})?\s*([a-z][a-z ]*?)\.?$"
)


@dataclass(frozen=True)
class TimeStandard:
    """A duration in working time: whole working days plus working minutes."""

    text: str
    days: int = 0
    minutes: int = 0

    @property
    def total_minutes_estimate(self) -> int:
        """Working minutes, counting a working day as 8 hours (for ordering and sums)."""
        return self.days * 8 * 60 + self.minutes

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "days": self.days, "minutes": self.minutes}


def parse_time_standard(text: str) -> TimeStandard:
    """Parse a time standard such as "15 menit", "1,5 jam", "3 hari kerja" or "1-2 hari".

    :raises ValueError: with a message saying which forms are understood.
    """
    cleaned = " ".join(text.strip().lower().split())
    match = _PATTERN.match(cleaned)
    unit = match.group(3).strip() if match else ""
    if not match or unit not in _UNITS:
        raise ValueError(
            f"time standard {text!r} is not understood; write e.g. '15 menit', '2 jam', "
            "'1 hari', '3 hari kerja' or '1 minggu'"
        )
    bounds = [float(n.replace(",", ".")) for n in match.group(1, 2) if n is not None]
    amount = max(bounds)
    if amount <= 0:
        raise ValueError(f"time standard {text!r} must be longer than zero")
    kind, multiplier = _UNITS[unit]
    if kind == "seconds":
        standard = TimeStandard(text, minutes=max(1, round(amount / 60)))
    elif kind == "minutes":
        standard = TimeStandard(text, minutes=round(amount * multiplier))
    else:
        whole_days = int(amount * multiplier)
        leftover_minutes = round((amount * multiplier - whole_days) * 8 * 60)
        standard = TimeStandard(text, days=whole_days, minutes=leftover_minutes)
    if standard.days == standard.minutes == 0:
        raise ValueError(f"time standard {text!r} is shorter than a minute")
    if standard.total_minutes_estimate > MAX_WORKING_DAYS * 8 * 60:
        raise ValueError(f"time standard {text!r} is longer than {MAX_WORKING_DAYS:,} working days")
    return standard
