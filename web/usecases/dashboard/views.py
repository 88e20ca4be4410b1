"""What the dashboard use cases return: plain, immutable figures for the pages, API and CSV.

Durations are seconds (float, None when nothing was measured). "Office" durations count only
the organization's working time (office hours, no weekends or days off); the others are
calendar time. Percentiles are nearest-rank: the p-th percentile of n sorted values is the
value at rank ceil(p * n).
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Filters:
    """What every dashboard page is filtered by. ``start`` and ``end`` are local dates, inclusive.

    ``unit_id`` keeps requests one of whose steps belonged to that unit (or a unit below it)
    and, for step figures, only that unit's steps. ``version_id`` keeps one SOP version.
    """

    start: date
    end: date
    unit_id: int | None = None
    sop_id: int | None = None
    version_id: int | None = None

    def as_args(self) -> dict[str, str]:
        """The query-string form (``from``, ``to``, ``unit``, ``sop``, ``version``)."""
        args = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for key, value in (
            ("unit", self.unit_id),
            ("sop", self.sop_id),
            ("version", self.version_id),
        ):
            if value is not None:
                args[key] = str(value)
        return args


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of one duration, and how many values they come from."""

    median: float | None = None
    p90: float | None = None
    count: int = 0


@dataclass(frozen=True)
class Share:
    """``part`` out of ``whole``; ``ratio`` is None when there is nothing to divide."""

    part: int = 0
    whole: int = 0

    @property
    def ratio(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class SopOverviewRow:
    """One SOP on the overview page.

    started: requests started in the period; completed: requests completed in the period;
    open: requests started before the period's end and not ended at its end.
    cycle and cycle_office: start -> completion of the completed ones. standard_office: the
    sum of the time standards of the steps on each completed request's path (office time).
    requests_on_time: completed requests that ended by their due time, out of those with one.
    steps_on_time: steps completed in the period by their due time, out of those with one.
    """

    sop_id: int
    sop_key: str
    sop_name: str
    started: int
    completed: int
    open: int
    cycle: Spread
    cycle_office: Spread
    standard_office: Spread
    requests_on_time: Share
    steps_on_time: Share


@dataclass(frozen=True)
class WeekPoint:
    """One week (Monday to Sunday, local) of the trend: started, completed, their cycle time."""

    week_start: date
    started: int
    completed: int
    cycle_office: Spread
    requests_on_time: Share


@dataclass(frozen=True)
class Overview:
    filters: Filters
    rows: list[SopOverviewRow]
    trend: list[WeekPoint]
    # Percentiles read from the per-day summaries (a long, busy period): within 1 %.
    approximate: bool = False


@dataclass(frozen=True)
class ActivityRow:
    """One human step (BPMN activity) of one SOP over the steps that became ready in the period.

    wait_office: ready -> claimed; handle_office: claimed -> completed (office time, completed
    steps). breaches: steps past their due time (completed late, or open and overdue).
    load_share: this activity's share of all office time the SOP's steps took (wait + handle);
    bottleneck_rank orders activities by that share (1 = where requests spend most time).
    """

    activity_id: str
    name: str
    lane: str | None  # the lane's name (pelaksana), as the SOP's newest version calls it
    positions: list[str]
    items: int
    completed: int
    open: int
    wait_office: Spread
    handle_office: Spread
    duration_office: Spread
    standard_office: float | None
    breaches: Share
    load_share: float | None
    bottleneck_rank: int | None


@dataclass(frozen=True)
class SopDetail:
    """The one-SOP page: its activities and the version whose diagram is drawn."""

    filters: Filters
    sop_id: int
    sop_key: str
    sop_name: str
    diagram_version_id: int
    versions: list[tuple[int, int]]  # (version id, version number), newest first
    summary: SopOverviewRow | None
    activities: list[ActivityRow]
    # Percentiles read from the per-day summaries (a long, busy period): within 1 %.
    approximate: bool = False


@dataclass(frozen=True)
class LoadRow:
    """Workload of one position or one officer in the period.

    hours_per_week: office hours per week of the period in which the officer had at least one
    of these steps in hand (claimed, not yet completed), per holder for a position; steps held
    at the same time count once (a step claimed before the period counts whole in the period
    it was completed in);
    items_per_day: completed steps per working day (per holder);
    open: steps open now; breaches: completed-late or overdue steps out of those with a
    standard; outlier: load far above peers (above median + 3 scaled MAD, see workload()).
    """

    key: str  # position code or username
    name: str
    unit: str
    holders: int
    completed: int
    hours_per_week: float
    items_per_day: float
    open: int
    breaches: Share
    outlier: bool
    position_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class Workload:
    filters: Filters
    weeks: float
    working_days: int
    positions: list[LoadRow]
    officers: list[LoadRow]


@dataclass(frozen=True)
class Difference:
    """One measure before and after a redesign and whether the change is more than noise.

    p_value comes from a two-sided Mann-Whitney U test (durations) or a two-proportion z-test
    (shares), only with at least 10 values on each side (else too_few, and no p-value);
    significant means p < 0.05.
    """

    measure: str
    activity_id: str | None
    before: float | None
    after: float | None
    change: float | None  # after - before
    p_value: float | None
    significant: bool
    before_count: int = 0
    after_count: int = 0
    too_few: bool = False


@dataclass(frozen=True)
class VersionComparison:
    filters: Filters
    sop_id: int
    sop_name: str
    before_version: tuple[int, int]  # (id, number)
    after_version: tuple[int, int]
    versions: list[tuple[int, int]]
    differences: list[Difference] = field(default_factory=list)
