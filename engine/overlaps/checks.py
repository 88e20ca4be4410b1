"""repeated_check: the same document or requirement checked at several steps of one path.

A check is an activity one of whose clauses has a check verb (verifikasi, periksa, cek,
teliti, validasi, telaah, uji, klarifikasi; ``text.clause_action``). What it checks:

- the object of its check verb in the name ("memeriksa *surat pengantar RT/RW*");
- when that object is the file as a whole ("kelengkapan berkas", "persyaratan", or "-nya"),
  each of its requirements (mutu baku kelengkapan) and, for "-nya", the rest of the name;
- the labels of its yes/no and choice form fields ("KTP asli sesuai?").

Words of the SOP's own name are left out when anything else is left: in "Izin Reklame",
"berkas izin reklame" is the whole file, not a document called "izin reklame".

Two checks on one request's path (``ActivityFlow``; every pair when the flow is unknown)
repeat each other when something one checks is the same as, or contained in, something the
other checks (similarity >= ``Settings.threshold``; containment only for items of two or
more words). Severity: high across agencies, medium across positions, low for one position.
"""

from dataclasses import dataclass

from engine.overlaps import messages
from engine.overlaps.groups import components
from engine.overlaps.library import Library, Record, Settings
from engine.overlaps.model import Evidence, Flag, FlagKind, Severity, make_flag
from engine.overlaps.text import (
    ACTION_CLASSES,
    CHECK,
    LIGHT_VERBS,
    STOP_WORDS,
    clause_action,
    clean,
    containment,
    dice,
    is_verb,
    stem,
)
from engine.overlaps.text import clauses as text_clauses

CHECK_STEMS = frozenset({CHECK} | {s for s, kind in ACTION_CLASSES.items() if kind == CHECK})
# Words that say how or that something is checked, not what.
GENERIC = frozenset(
    {"lengkap", "hasil", "catat", "status", "putus", "nomor", "tanggal", "nama", "terima"}
    | {"benar", "sah", "absah", "proses", "kegiatan", "isi", "substansi", "mohon"}
)
# The object "the whole file": its requirements are what gets checked.
WHOLE_FILE = frozenset({"berkas", "syarat", "administrasi"})
CHECK_FIELD_TYPES = ("boolean", "choice")


@dataclass(frozen=True)
class Item:
    """One thing a step checks: its stems and the words as the SOP wrote them."""

    stems: frozenset[str]
    text: str
    written: bool  # the SOP's own wording (a requirement or form label), not cut from a name


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOP_WORDS and len(w) > 1 and not w.isdigit()]


def _item(
    words: list[str], ignore: frozenset[str], own: frozenset[str], text: str | None = None
) -> Item | None:
    """The stems of ``words`` that name a thing checked; the SOP's ``own`` name words only
    when nothing else is left (in SOP "Kartu Keluarga", "Kartu Keluarga" is still a thing)."""
    kept = [w for w in _content(words) if stem(w) not in ignore]
    specific = [w for w in kept if stem(w) not in own]
    kept = specific or kept
    if not kept:
        return None
    return Item(frozenset(stem(w) for w in kept), text or " ".join(kept), text is not None)


def checked_items(record: Record, sop_name: frozenset[str] = frozenset()) -> list[Item]:
    """What the activity checks; empty when it is not a check. ``sop_name``: its SOP's stems."""
    ignore = CHECK_STEMS | GENERIC | LIGHT_VERBS
    clauses = text_clauses(record.activity.name)
    objects: list[list[str]] = []
    for k, clause in enumerate(clauses):
        if clause_action(clause) != CHECK:
            continue
        rest = [w for w in clause if stem(w) not in CHECK_STEMS]
        if not _content(rest) and k + 1 < len(clauses):
            rest = clauses[k + 1][1:]  # "memverifikasi dan memvalidasi data": the next object
        objects.append(rest)
    if not objects:
        return []
    items = [item for words in objects if (item := _item(words, ignore, sop_name))]
    whole_file = not items or any(item.stems & WHOLE_FILE for item in items)
    if not items:  # "memeriksa kelengkapannya": the rest of the name says of what
        items += [
            item
            for c in clauses
            if (item := _item(c[1:] if is_verb(c[0]) else c, ignore, sop_name))
        ]
    if whole_file:
        items += [
            item
            for text in record.activity.requirements
            if (item := _item(clean(text).split(), ignore, sop_name, text))
        ]
    for field in record.activity.fields:
        label = field.label or field.name
        if field.type in CHECK_FIELD_TYPES and (
            item := _item(clean(label).split(), ignore, sop_name, label)
        ):
            items.append(item)
    seen: set[frozenset[str]] = set()
    unique = []
    for item in items:
        if item.stems - WHOLE_FILE and item.stems not in seen:
            seen.add(item.stems)
            unique.append(item)
    return unique


def _same(a: Item, b: Item, threshold: float, near: dict[str, frozenset[str]]) -> bool:
    if dice(a.stems, b.stems, near=near) >= threshold:
        return True
    if len(a.stems) >= 2 and containment(a.stems, b.stems) >= threshold:
        return True
    return len(b.stems) >= 2 and containment(b.stems, a.stems) >= threshold


def repeated_check_flags(
    library: Library, records: list[Record], settings: Settings
) -> tuple[list[Flag], set[frozenset[int]]]:
    """The flags of one SOP's activities, and the pairs they cover."""
    sop_name = library.sop_names.get(records[0].sop_key, frozenset()) if records else frozenset()
    checks = [(r, items) for r in records if (items := checked_items(r, sop_name))]
    edges = []
    shared: dict[frozenset[int], list[Item]] = {}
    for k, (a, items_a) in enumerate(checks):
        for b, items_b in checks[k + 1 :]:
            if not library.on_one_path(a, b):
                continue
            found = [
                (x, y)
                for x in items_a
                for y in items_b
                if _same(x, y, settings.threshold, library.near)
            ]
            if found:
                edges.append((a.index, b.index, 1.0))
                shared[frozenset((a.index, b.index))] = [item for pair in found for item in pair]
    flags = []
    for nodes, _ in components(edges):
        group = sorted((library.records[i] for i in nodes), key=lambda r: r.index)
        members = set(nodes)
        items = [item for pair, found in shared.items() if pair <= members for item in found]
        items.sort(key=lambda item: not item.written)  # the SOP's own wording first
        common = tuple(dict.fromkeys(item.text for item in items))
        positions = tuple(sorted({p for r in group for p in r.ref.positions}))
        units = tuple(sorted({u for r in group for u in r.ref.units}))
        if len(library.agencies(units)) > 1:
            severity = Severity.HIGH
        elif len(positions) > 1:
            severity = Severity.MEDIUM
        else:
            severity = Severity.LOW
        refs = tuple(r.ref for r in group)
        sop = group[0].sop_key
        evidence = Evidence((sop,), refs, (), positions, units, shared=common)
        text = messages.repeated_check(sop, common[0], refs)
        flags.append(make_flag(FlagKind.REPEATED_CHECK, severity, evidence, text))
    return flags, set(shared)
