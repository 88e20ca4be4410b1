"""Flags from what officers actually did: the steps of real requests, in the order they came.

- performer_mismatch: an activity's steps completed by people who do not hold the position its
  lane names (they were moved, or stand in for someone), in a share that is no accident.
- bouncing: requests handed back and forth between two positions: an activity of position A
  done again after position B had the request (A -> B -> A, rework), not a path that simply
  visits A twice by design.
- split_ownership: an activity whose work is split across several positions or units with no
  clear owner: process mining's relative stake, the share of the work each group did.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from engine.overlaps.model import ActivityRef, Evidence, Flag, FlagKind, Severity, flag_key

SAMPLE = 10  # request references kept as evidence


@dataclass(frozen=True)
class WorkSettings:
    """Thresholds of the dynamic rules (documented defaults)."""

    # performer_mismatch: at least this many steps and this share done by non-holders.
    mismatch_min: int = 3
    mismatch_share: float = 0.05
    # bouncing: at least this many requests, and this share of the SOP's requests, went A->B->A.
    bounce_min: int = 3
    bounce_share: float = 0.02
    # split_ownership: at least this many steps, and no group did this share of them.
    split_min: int = 10
    owner_share: float = 0.8


@dataclass(frozen=True)
class Step:
    """One completed step of one request (rows come ordered by request, then ready time)."""

    request: str  # reference, e.g. SKD-2026-00012
    sop_key: str
    activity_id: str
    activity_name: str
    position: str
    unit: str
    performer: str | None
    performer_holds: bool  # the performer holds the step's position (now)


def _severity(share: float, high: float, medium: float) -> Severity:
    if share >= high:
        return Severity.HIGH
    return Severity.MEDIUM if share >= medium else Severity.LOW


def _flag(kind: FlagKind, severity: Severity, ids: list[str], evidence: Evidence, text) -> Flag:
    en, id_ = text
    return Flag(kind, severity, flag_key(kind, tuple(ids)), en, id_, evidence)


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"


def analyze_work(steps: Iterable[Step], settings: WorkSettings | None = None) -> list[Flag]:
    """Every dynamic flag of the steps given, most serious first."""
    settings = settings or WorkSettings()
    per_activity: dict[tuple[str, str], list[Step]] = defaultdict(list)
    requests_per_sop: Counter[str] = Counter()
    bounces: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    current: list[Step] = []

    def close_request() -> None:
        """Work that came back: an activity done again after another position had the request."""
        if not current:
            return
        sop = current[0].sop_key
        requests_per_sop[sop] += 1
        last_seen: dict[str, int] = {}
        seen = set()
        for index, step in enumerate(current):
            before = last_seen.get(step.activity_id)
            last_seen[step.activity_id] = index
            if before is None:
                continue
            handed_back_by = current[index - 1].position
            if handed_back_by == step.position:
                continue
            # One loop redoes the steps of both positions (A's, then B's): count it once,
            # under the direction it started with.
            both = frozenset((step.position, handed_back_by))
            if both not in seen:
                seen.add(both)
                bounces[(sop, step.position, handed_back_by)].append(current[0].request)

    for step in steps:
        if current and step.request != current[0].request:
            close_request()
            current = []
        current.append(step)
        per_activity[(step.sop_key, step.activity_id)].append(step)
    close_request()

    flags = [
        *_mismatches(per_activity, settings),
        *_splits(per_activity, settings),
        *_bounces(bounces, requests_per_sop, settings),
    ]
    return sorted(flags, key=lambda flag: (flag.severity.rank, flag.kind, flag.key))


def _ref(items: list[Step]) -> ActivityRef:
    first = items[0]
    positions = tuple(sorted({step.position for step in items}))
    units = tuple(sorted({step.unit for step in items}))
    return ActivityRef(
        first.sop_key, first.activity_id, first.activity_name, None, positions, units
    )


def _mismatches(per_activity: dict, settings: WorkSettings) -> list[Flag]:
    flags = []
    for (sop, _activity), items in sorted(per_activity.items()):
        strangers = [step for step in items if step.performer and not step.performer_holds]
        share = len(strangers) / len(items)
        if len(strangers) < settings.mismatch_min or share < settings.mismatch_share:
            continue
        ref = _ref(items)
        people = Counter(step.performer for step in strangers)
        named = ", ".join(f"{who} ({count})" for who, count in people.most_common(4))
        declared = ", ".join(ref.positions)
        evidence = Evidence(
            sops=(sop,),
            activities=(ref,),
            positions=ref.positions,
            units=ref.units,
            score=share,
            shared=tuple(dict.fromkeys(step.request for step in strangers))[:SAMPLE],
        )
        text = (
            f'{len(strangers)} of {len(items)} steps "{ref.name}" of SOP {sop} '
            f"({_pct(share)}) were completed by people who do not hold its position "
            f"({declared}): {named}. Either the SOP names the wrong performer, or the "
            "position's holders need updating.",
            f'{len(strangers)} dari {len(items)} langkah "{ref.name}" pada SOP {sop} '
            f"({_pct(share)}) diselesaikan oleh pegawai yang tidak memegang jabatannya "
            f"({declared}): {named}. SOP menyebut pelaksana yang keliru, atau pemegang "
            "jabatan perlu diperbarui.",
        )
        flags.append(
            _flag(
                FlagKind.PERFORMER_MISMATCH,
                _severity(share, 0.25, 0.1),
                [f"activity:{ref.ref}"],
                evidence,
                text,
            )
        )
    return flags


def _splits(per_activity: dict, settings: WorkSettings) -> list[Flag]:
    flags = []
    for (sop, _activity), items in sorted(per_activity.items()):
        if len(items) < settings.split_min:
            continue
        for level in ("position", "unit"):
            stake = Counter(getattr(step, level) for step in items)
            _owner, owned = stake.most_common(1)[0]
            share = owned / len(items)
            if len(stake) < 2 or share >= settings.owner_share:
                continue
            ref = _ref(items)
            shares = ", ".join(
                f"{group} {_pct(count / len(items))}" for group, count in stake.most_common(5)
            )
            word_en = "positions" if level == "position" else "units"
            word_id = "jabatan" if level == "position" else "unit"
            evidence = Evidence(
                sops=(sop,),
                activities=(ref,),
                positions=ref.positions,
                units=ref.units,
                score=share,
                shared=tuple(f"{group}: {count}" for group, count in stake.most_common()),
            )
            text = (
                f'The work of "{ref.name}" in SOP {sop} is split across {len(stake)} '
                f"{word_en} with no clear owner ({shares} of {len(items)} steps). Name one "
                "owner, or split the activity.",
                f'Pekerjaan "{ref.name}" pada SOP {sop} terbagi di {len(stake)} {word_id} '
                f"tanpa pemilik yang jelas ({shares} dari {len(items)} langkah). Tetapkan satu "
                "pemilik, atau pecah kegiatannya.",
            )
            flags.append(
                _flag(
                    FlagKind.SPLIT_OWNERSHIP,
                    Severity.HIGH if share < 0.5 else Severity.MEDIUM,
                    [f"activity:{ref.ref}", f"level:{level}"],
                    evidence,
                    text,
                )
            )
            break  # split across positions says it; the units would repeat it
    return flags


def _bounces(
    bounces: dict[tuple[str, str, str], list[str]],
    requests_per_sop: Counter[str],
    settings: WorkSettings,
) -> list[Flag]:
    """One flag per SOP and pair of positions, whichever way the work went back."""
    pairs: dict[tuple[str, frozenset[str]], dict[tuple[str, str], list[str]]] = defaultdict(dict)
    for (sop, first, second), requests in bounces.items():
        pairs[(sop, frozenset((first, second)))][(first, second)] = requests
    flags = []
    for (sop, _pair), directions in sorted(
        pairs.items(), key=lambda item: (item[0][0], sorted(item[0][1]))
    ):
        requests = sorted({ref for refs in directions.values() for ref in refs})
        share = len(requests) / requests_per_sop[sop]
        if len(requests) < settings.bounce_min or share < settings.bounce_share:
            continue
        # Named by the direction most requests took: A's step redone after B handed it back.
        (first, second), _most = max(directions.items(), key=lambda item: (len(item[1]), item[0]))
        evidence = Evidence(
            sops=(sop,),
            positions=(first, second),
            score=share,
            shared=tuple(requests[:SAMPLE]),
        )
        text = (
            f"{len(requests)} requests of SOP {sop} ({_pct(share)}) were handed back and forth "
            f"between {first} and {second}: mostly {second} handed the request back to {first} "
            f"to redo a step {first} had already done ({first} -> {second} -> {first}). Settle "
            f"what {first} must deliver before handing over, so the work does not come back.",
            f"{len(requests)} permohonan pada SOP {sop} ({_pct(share)}) bolak-balik antara "
            f"{first} dan {second}: umumnya {second} mengembalikan permohonan kepada {first} "
            f"untuk mengulang langkah yang sudah dikerjakan {first} ({first} -> {second} -> "
            f"{first}). Tetapkan apa yang harus diserahkan {first} sebelum diteruskan, agar "
            "pekerjaan tidak kembali.",
        )
        flags.append(
            _flag(
                FlagKind.BOUNCING,
                _severity(share, 0.15, 0.05),
                [f"sop:{sop}", *sorted(f"position:{code}" for code in (first, second))],
                evidence,
                text,
            )
        )
    return flags
