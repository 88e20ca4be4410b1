"""Overlap flags (tumpang tindih): run the analysis, list the flags, act on them.

One analysis reads the published version of every SOP (static rules, engine.overlaps) and the
steps completed in the last ``WORK_DAYS`` days (dynamic rules), then merges what it found
into the stored flags by their stable key: a new finding opens a flag, a known one is
refreshed and keeps the analyst's state and note. The dynamic rules judge each SOP on the work
of one version, the newest with completed steps in the window: once a redesign is in use, the
old version's rework no longer speaks for the SOP. A flag no longer found is resolved by the
newest version of one of its SOPs published since it was raised; without one it is only marked
as not current (the data moved, nobody changed the SOP).
"""

from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.attributes import set_committed_value

from engine.overlaps import (
    Flag,
    FlagKind,
    Step,
    analyze_library,
    analyze_work,
    flow_of_bpmn,
)
from engine.sop_metadata import SopMetadata
from storage.models import (
    Event,
    FlagState,
    Instance,
    OverlapFlag,
    Position,
    Role,
    Sop,
    SopVersion,
    Unit,
    User,
    VersionStatus,
    WorkItem,
    WorkItemStatus,
)
from storage.models.organization import user_position
from web.usecases.context import Actor, Context
from web.usecases.errors import Conflict, Invalid, NotFound, message
from web.usecases.pagination import Page, PageRequest, paginate
from web.usecases.runtime.progress import record
from web.usecases.scope import visible_requests

KIND_UNKNOWN = message("flag_kind_unknown", "Unknown flag kind '{kind}'.")
SEVERITY_UNKNOWN = message(
    "flag_severity_unknown", "Unknown severity '{severity}'; use high, medium or low."
)
FLAG_NOT_FOUND = message("flag_not_found", "Flag {id} does not exist.")
NOTE_MISSING = message("flag_note_missing", "Write a note: what was decided, and why.")
NOTE_TOO_LONG = message("flag_note_too_long", "The note may have at most {limit} characters.")
VERSION_ID_NOT_FOUND = message("sop_version_id_not_found", "SOP version {id} does not exist.")
VERSION_UNRELATED = message(
    "flag_version_unrelated", "Version {number} of {key} is not of this flag's SOPs."
)
VERSION_TOO_OLD = message(
    "flag_version_too_old",
    "Only a version published after the flag was raised can resolve it; publish the "
    "redesigned SOP first.",
)

WORK_DAYS = 180
NOTE_MAX = 2000
Progress = Callable[[str, int, int], None]  # (phase, done, total)
VIEWERS = (Role.MANAGER, Role.ANALYST, Role.ADMIN)
_EDITORS = (Role.ANALYST, Role.ADMIN)
# Kinds whose evidence's "shared" lists request references (engine.overlaps.dynamic); the
# other kinds list words in common, or "group: count".
NAMING_REQUESTS = frozenset({str(FlagKind.PERFORMER_MISMATCH), str(FlagKind.BOUNCING)})


@dataclass(frozen=True)
class AnalysisResult:
    sops: int
    steps: int
    found: int
    opened: int  # new flags
    resolved: int  # flags a newer SOP version removed
    gone: int  # flags no longer found without a new version
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Synergy:
    """The yearly SOP AP evaluation's question: do the procedures work in synergy, with no
    overlapping duties? ``answer`` is yes only when no high or medium flag is open."""

    open_by_severity: dict[str, int]
    acknowledged: int
    resolved: int
    analysed_at: datetime | None

    @property
    def answer(self) -> bool:
        return not (self.open_by_severity.get("high") or self.open_by_severity.get("medium"))


def _library(session: Session) -> tuple[list[SopMetadata], dict, dict, dict]:
    versions = session.scalars(
        select(SopVersion)
        .where(SopVersion.status == VersionStatus.PUBLISHED)
        .options(undefer(SopVersion.sop_metadata), undefer(SopVersion.bpmn_xml))
        .order_by(SopVersion.sop_id)
    ).all()
    sops, flows = [], {}
    for version in versions:
        metadata = SopMetadata.from_dict(version.sop_metadata)
        sops.append(metadata)
        # Stored versions passed validation; without a flow all steps count as one path.
        with suppress(ValueError):
            flows[metadata.key] = flow_of_bpmn(version.bpmn_xml.encode("utf-8"))
    units = dict(session.execute(select(Unit.id, Unit.code)).all())
    positions = {
        code: units[unit_id]
        for code, unit_id in session.execute(select(Position.code, Position.unit_id))
    }
    parents = {
        units[unit_id]: units.get(parent_id)
        for unit_id, parent_id in session.execute(select(Unit.id, Unit.parent_id))
    }
    return sops, positions, flows, parents


def _judged_versions(session: Session, since: datetime) -> list[int]:
    """Per SOP, the newest version with steps completed since ``since``.

    Until a new version's first step is completed the previous one still speaks for the SOP,
    so publishing alone resolves nothing; from then on only the new version's work counts.
    """
    worked = (
        select(Instance.sop_version_id)
        .join(WorkItem, WorkItem.instance_id == Instance.id)
        .where(WorkItem.status == WorkItemStatus.COMPLETED, WorkItem.completed_at >= since)
        .distinct()
    )
    newest: dict[int, tuple[int, int]] = {}
    for sop_id, version_id, number in session.execute(
        select(SopVersion.sop_id, SopVersion.id, SopVersion.number).where(SopVersion.id.in_(worked))
    ):
        if number > newest.get(sop_id, (0, 0))[1]:
            newest[sop_id] = (version_id, number)
    return [version_id for version_id, _ in newest.values()]


def _steps(session: Session, since: datetime) -> Iterator[Step]:
    versions = _judged_versions(session, since)
    held = set(session.execute(select(user_position.c.user_id, user_position.c.position_id)).all())
    query = (
        select(
            Instance.reference,
            Sop.key,
            WorkItem.activity_id,
            WorkItem.activity_name,
            Position.code,
            Unit.code,
            User.username,
            WorkItem.completed_by_id,
            WorkItem.position_id,
        )
        .join(Instance, Instance.id == WorkItem.instance_id)
        .join(Sop, Sop.id == WorkItem.sop_id)
        .join(Position, Position.id == WorkItem.position_id)
        .join(Unit, Unit.id == WorkItem.unit_id)
        .outerjoin(User, User.id == WorkItem.completed_by_id)
        .where(
            WorkItem.status == WorkItemStatus.COMPLETED,
            WorkItem.completed_at >= since,
            Instance.sop_version_id.in_(versions),
        )
        .order_by(WorkItem.instance_id, WorkItem.ready_at, WorkItem.id)
        .execution_options(yield_per=5000)
    )
    for ref, sop, activity, name, position, unit, user, user_id, position_id in session.execute(
        query
    ):
        yield Step(ref, sop, activity, name, position, unit, user, (user_id, position_id) in held)


def _padded(keys: tuple[str, ...]) -> str:
    return " " + " ".join(sorted(set(keys))) + " "


def _new_version_since(
    session: Session, sop_keys: tuple[str, ...], since: datetime
) -> SopVersion | None:
    return session.scalars(
        select(SopVersion)
        .join(Sop)
        .where(Sop.key.in_(sop_keys), SopVersion.published_at > since)
        .order_by(SopVersion.published_at.desc())
    ).first()


def _merge(session: Session, found: list[Flag], now: datetime) -> tuple[int, int, int]:
    known = {flag.key: flag for flag in session.scalars(select(OverlapFlag))}
    opened = resolved = gone = 0
    unique = {flag.key: flag for flag in found}  # a key is unique by construction; be sure
    for flag in unique.values():
        row = known.pop(flag.key, None)
        if row is None:
            row = OverlapFlag(
                key=flag.key,
                kind=str(flag.kind),
                state=FlagState.OPEN,
                first_seen_at=now,
                origin="work" if flag.kind.from_work else "library",
            )
            session.add(row)
            opened += 1
        elif row.state == FlagState.RESOLVED:
            # Found again after it was resolved: the problem is back, raised anew.
            row.state, row.resolved_by_version_id = FlagState.OPEN, None
            row.first_seen_at = now
            row.state_changed_at, row.state_changed_by_id = now, None
            opened += 1
        row.severity, row.severity_rank = str(flag.severity), flag.severity.rank
        row.explanation_en, row.explanation_id = flag.explanation_en, flag.explanation_id
        row.evidence = flag.as_dict()["evidence"]
        row.sop_keys = _padded(flag.evidence.sops)
        row.last_seen_at, row.current = now, True
    for row in known.values():
        if row.state == FlagState.RESOLVED or not row.current:
            continue
        version = _new_version_since(session, tuple(row.sop_keys.split()), row.first_seen_at)
        if version is not None:
            row.state, row.resolved_by_version = FlagState.RESOLVED, version
            row.state_changed_at, row.state_changed_by_id = now, None
            resolved += 1
        else:
            row.current = False
            gone += 1
    return opened, resolved, gone


def analyze(ctx: Context, actor: Actor, progress: Progress | None = None) -> AnalysisResult:
    """Run the static and dynamic analysis and merge the flags (analysts, admins, the CLI)."""
    actor.require_role(*_EDITORS, action="run the overlap analysis")
    now = ctx.clock()

    def library_progress(done: int, total: int) -> None:
        if progress:
            progress("library", done, total)

    with ctx.reading() as session:
        sops, positions, flows, parents = _library(session)
        found = analyze_library(
            sops, positions, flows=flows, unit_parents=parents, progress=library_progress
        )
        steps = list(_steps(session, now - timedelta(days=WORK_DAYS)))
    if progress:
        progress("work", 0, len(steps))
    found += analyze_work(steps)
    if progress:
        progress("work", len(steps), len(steps))
    with ctx.transaction() as session:
        opened, resolved, gone = _merge(session, found, now)
        by_kind: dict[str, int] = {}
        for flag in found:
            by_kind[str(flag.kind)] = by_kind.get(str(flag.kind), 0) + 1
        result = AnalysisResult(len(sops), len(steps), len(found), opened, resolved, gone, by_kind)
        record(
            session,
            ctx,
            actor,
            "overlap_analysis_completed",
            sops=result.sops,
            steps=result.steps,
            found=result.found,
            opened=opened,
            resolved=resolved,
            gone=gone,
        )
        return result


def list_flags(
    ctx: Context,
    actor: Actor,
    page: PageRequest,
    *,
    state: FlagState | None = None,
    kind: str | None = None,
    severity: str | None = None,
    sop_key: str | None = None,
    include_gone: bool = False,
) -> Page:
    """Flags, most serious and newest first; by default only those the last analysis found."""
    actor.require_role(*VIEWERS, action="view overlap flags")
    if kind is not None and kind not in {str(k) for k in FlagKind}:
        raise Invalid(KIND_UNKNOWN, {"kinds": [str(k) for k in FlagKind]}, kind=kind)
    if severity is not None and severity not in ("high", "medium", "low"):
        raise Invalid(SEVERITY_UNKNOWN, severity=severity)
    query = select(OverlapFlag)
    if state is not None:
        query = query.where(OverlapFlag.state == state)
    if kind is not None:
        query = query.where(OverlapFlag.kind == kind)
    if severity is not None:
        query = query.where(OverlapFlag.severity == severity)
    if sop_key:
        query = query.where(OverlapFlag.sop_keys.contains(f" {sop_key} ", autoescape=True))
    if not include_gone:
        query = query.where(
            or_(OverlapFlag.current.is_(True), OverlapFlag.state == FlagState.RESOLVED)
        )
    query = query.order_by(
        OverlapFlag.severity_rank, OverlapFlag.first_seen_at.desc(), OverlapFlag.id
    )
    with ctx.transaction() as session:
        return paginate(session, query, page.clamped(200))


def get_flag(ctx: Context, actor: Actor, flag_id: int) -> OverlapFlag:
    """One flag, its evidence naming only the requests ``actor`` may open."""
    actor.require_role(*VIEWERS, action="view overlap flags")
    with ctx.transaction() as session:
        flag = _flag(session, flag_id)
        _hide_unseen_requests(session, actor, flag)
        return flag


def _hide_unseen_requests(session: Session, actor: Actor, flag: OverlapFlag) -> None:
    """Leave out of the flag's evidence the requests outside ``actor``'s scope, by the one scope
    rule of requests (visible_requests), so a manager does not learn another unit's references.

    The explanation's counts ("3 of 5 requests", a share) stay whole: they are aggregates of
    the SOP's work that name no request or applicant, and the flag is about the SOP.
    """
    references = flag.evidence.get("shared") or []
    if flag.kind not in NAMING_REQUESTS or not references:
        return
    visible = set(
        session.scalars(
            select(Instance.reference).where(
                Instance.reference.in_(references), visible_requests(session, actor)
            )
        )
    )
    # Set as if loaded: what this viewer may read is never written back to the flag.
    evidence = {**flag.evidence, "shared": [ref for ref in references if ref in visible]}
    set_committed_value(flag, "evidence", evidence)


def _flag(session: Session, flag_id: int) -> OverlapFlag:
    flag = session.get(OverlapFlag, flag_id)
    if flag is None:
        raise NotFound(FLAG_NOT_FOUND, id=flag_id)
    return flag


def _note(note: str | None, required: bool) -> str | None:
    text = (note or "").strip()
    if required and not text:
        raise Invalid(NOTE_MISSING, {"field": "note"})
    if len(text) > NOTE_MAX:
        raise Invalid(NOTE_TOO_LONG, {"field": "note"}, limit=NOTE_MAX)
    return text or None


def _apply(
    session: Session,
    ctx: Context,
    actor: Actor,
    flag: OverlapFlag,
    state: FlagState,
    note: str | None,
    version: SopVersion | None = None,
) -> OverlapFlag:
    previous = flag.state
    flag.state = state
    if note is not None:
        flag.note = note
    flag.state_changed_at, flag.state_changed_by_id = ctx.clock(), actor.user_id
    flag.resolved_by_version = version
    record(
        session,
        ctx,
        actor,
        f"overlap_flag_{state.value}",
        flag=flag.key,
        kind=flag.kind,
        previous=previous.value,
        note=note,
        version=version.number if version else None,
    )
    session.flush()
    return flag


def acknowledge(ctx: Context, actor: Actor, flag_id: int, note: str) -> OverlapFlag:
    """Mark a flag seen, with a note saying what was decided (accepted as is, or work planned)."""
    actor.require_role(*_EDITORS, action="change overlap flags")
    text = _note(note, required=True)
    with ctx.transaction() as session:
        flag = _flag(session, flag_id)
        return _apply(session, ctx, actor, flag, FlagState.ACKNOWLEDGED, text)


def reopen(ctx: Context, actor: Actor, flag_id: int, note: str | None = None) -> OverlapFlag:
    actor.require_role(*_EDITORS, action="change overlap flags")
    text = _note(note, required=False)
    with ctx.transaction() as session:
        return _apply(session, ctx, actor, _flag(session, flag_id), FlagState.OPEN, text)


def resolve(
    ctx: Context, actor: Actor, flag_id: int, version_id: int, note: str | None = None
) -> OverlapFlag:
    """Resolve a flag by a version of one of its SOPs published after the flag was raised.

    :raises Conflict: the version is not of the flag's SOPs, or not published since.
    """
    actor.require_role(*_EDITORS, action="change overlap flags")
    text = _note(note, required=False)
    with ctx.transaction() as session:
        flag = _flag(session, flag_id)
        version = session.get(SopVersion, version_id)
        if version is None:
            raise NotFound(VERSION_ID_NOT_FOUND, id=version_id)
        if f" {version.sop.key} " not in flag.sop_keys:
            raise Conflict(
                VERSION_UNRELATED,
                {"sops": flag.sop_keys.split()},
                number=version.number,
                key=version.sop.key,
            )
        if version.published_at is None or version.published_at <= flag.first_seen_at:
            raise Conflict(
                VERSION_TOO_OLD,
                {"raised_at": flag.first_seen_at.isoformat()},
            )
        return _apply(session, ctx, actor, flag, FlagState.RESOLVED, text, version)


def resolving_versions(ctx: Context, actor: Actor, flag_id: int) -> list[SopVersion]:
    """Versions that may resolve a flag: of its SOPs, published after it was raised."""
    actor.require_role(*VIEWERS, action="view overlap flags")
    with ctx.transaction() as session:
        flag = _flag(session, flag_id)
        return list(
            session.scalars(
                select(SopVersion)
                .join(Sop)
                .where(
                    Sop.key.in_(flag.sop_keys.split()),
                    SopVersion.published_at > flag.first_seen_at,
                )
                .order_by(SopVersion.published_at.desc())
            )
        )


def synergy(ctx: Context, actor: Actor) -> Synergy:
    """Counts for the yearly evaluation's synergy question (current flags only)."""
    actor.require_role(*VIEWERS, action="view overlap flags")
    with ctx.transaction() as session:
        rows = session.execute(
            select(OverlapFlag.state, OverlapFlag.severity, func.count())
            .where(or_(OverlapFlag.current.is_(True), OverlapFlag.state == FlagState.RESOLVED))
            .group_by(OverlapFlag.state, OverlapFlag.severity)
        ).all()
        analysed = session.scalar(
            select(func.max(Event.occurred_at)).where(Event.type == "overlap_analysis_completed")
        )
    open_by = {sev: 0 for sev in ("high", "medium", "low")}
    acknowledged = resolved = 0
    for state, severity, count in rows:
        if state == FlagState.OPEN:
            open_by[severity] += count
        elif state == FlagState.ACKNOWLEDGED:
            acknowledged += count
        else:
            resolved += count
    return Synergy(open_by, acknowledged, resolved, analysed)
