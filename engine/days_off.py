"""Days off besides the weekly ones: national holidays, cuti bersama, and local additions.

National holidays (category ``public``) and cuti bersama (category ``government``, the
collective leave days of civil servants set each year by a joint ministerial decree) come
from the ``holidays`` package. Its data changes between releases: a decree published late
or changed (as in 2020 and 2024) needs a newer release, and Islamic holidays of years not yet
decreed are astronomical estimates marked "(perkiraan)". Due times are computed when a step
opens and stored, so an upgrade never moves a due time that was already given.

Local additions come from a text file (setting ``ALUR_LOCAL_HOLIDAYS_FILE``), one day per line::

    # date (or first..last)  organization code, or * for all   name
    2026-10-28               KOTA-SKM                          Hari Jadi Kota Sukamaju
    2026-12-28..2026-12-30   *                                 Cuti bersama akhir tahun daerah
    !2026-12-24              KOTA-SKM                          Pelayanan tetap buka

A ``!`` before the date makes a national day off a working day for that organization (offices
that keep serving during cuti bersama). Empty lines and lines starting with ``#`` are ignored;
of two lines about the same day and organization, the later one wins.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import holidays as holiday_data

ALL_ORGANIZATIONS = "*"
# A local range longer than this is almost surely a typo in a year.
MAX_RANGE_DAYS = 366
_LINE = re.compile(
    r"^(?P<working>!)?(?P<first>\d{4}-\d{2}-\d{2})(?:\.\.(?P<last>\d{4}-\d{2}-\d{2}))?"
    r"\s+(?P<organization>\S+)\s+(?P<name>\S.*?)\s*$"
)


@dataclass(frozen=True)
class DayOff:
    """One day off, and where it comes from: "national" (the holidays package) or "local"."""

    day: date
    name: str
    source: Literal["national", "local"]

    @property
    def estimated(self) -> bool:
        """Not yet decreed: the package computed the date (Islamic calendar)."""
        return "(perkiraan)" in self.name


@dataclass(frozen=True)
class LocalDay:
    """One line of the local file: a day off added, or (``working``) a national one removed."""

    day: date
    organization: str
    name: str
    working: bool = False

    def applies_to(self, organization: str | None) -> bool:
        return self.organization in (ALL_ORGANIZATIONS, organization)


@lru_cache(maxsize=64)
def national_days_off(year: int) -> MappingProxyType[date, str]:
    """Indonesia's public holidays and cuti bersama of ``year``, named in Indonesian."""
    found = holiday_data.country_holidays(
        "ID", years=year, categories=("public", "government"), language="id"
    )
    return MappingProxyType(dict(sorted(found.items())))


def parse_local_days(text: str, source: str = "<text>") -> list[LocalDay]:
    """Read the local file's lines (format in this module's docstring).

    :raises ValueError: naming ``source`` and the line of the first line not understood.
    """
    days: list[LocalDay] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        where = f"{source}:{number}"
        if match is None:
            raise ValueError(
                f"{where}: expected 'YYYY-MM-DD ORGANIZATION NAME' (ORGANIZATION may be *), "
                f"got {line!r}"
            )
        try:
            first = date.fromisoformat(match["first"])
            last = date.fromisoformat(match["last"]) if match["last"] else first
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if not first <= last <= first + timedelta(days=MAX_RANGE_DAYS):
            raise ValueError(f"{where}: the range {first}..{last} is backwards or over a year")
        for offset in range((last - first).days + 1):
            days.append(
                LocalDay(
                    first + timedelta(days=offset),
                    match["organization"],
                    match["name"],
                    working=bool(match["working"]),
                )
            )
    return days


def load_local_days(path: str | Path | None) -> list[LocalDay]:
    """The local file's days; none when ``path`` is empty.

    :raises ValueError: the file is missing or has a line that is not understood.
    """
    if not path:
        return []
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the local holidays file {file}: {exc.strerror}") from None
    return parse_local_days(text, str(file))


class DaysOff:
    """The days off of one organization: a container of dates, filled lazily year by year."""

    def __init__(self, organization: str | None = None, local: Iterable[LocalDay] = ()):
        self.organization = organization
        self._local = [d for d in local if d.applies_to(organization)]
        self._years: dict[int, dict[date, DayOff]] = {}

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and day in self._year(day.year)

    def of_year(self, year: int) -> list[DayOff]:
        """Every day off of ``year``, in date order (weekends that are holidays included)."""
        return sorted(self._year(year).values(), key=lambda d: d.day)

    def _year(self, year: int) -> dict[date, DayOff]:
        days = self._years.get(year)
        if days is None:
            days = {d: DayOff(d, name, "national") for d, name in national_days_off(year).items()}
            for local in self._local:
                if local.day.year != year:
                    continue
                if local.working:
                    days.pop(local.day, None)
                else:
                    days[local.day] = DayOff(local.day, local.name, "local")
            # One assignment: threads reading concurrently see the year whole or not at all.
            self._years[year] = days
        return days
