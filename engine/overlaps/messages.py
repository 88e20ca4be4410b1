"""Plain-language explanations of the flags, in English and Indonesian: (en, id) pairs."""

from collections.abc import Sequence

from engine.overlaps.model import ActivityRef

LISTED = 4  # activities named in a sentence; the rest are counted


def _percent(score: float) -> str:
    return f"{round(score * 100)}%"


def _activities(refs: Sequence[ActivityRef], same_sop: bool = False) -> tuple[str, str]:
    def one(ref: ActivityRef) -> str:
        who = ", ".join(ref.positions) or "?"
        return f'"{ref.name}" ({who})' if same_sop else f'"{ref.name}" ({ref.sop_key}, {who})'

    named = "; ".join(one(r) for r in refs[:LISTED])
    more = len(refs) - LISTED
    if more <= 0:
        return named, named
    return f"{named}; and {more} more", f"{named}; dan {more} lainnya"


def lane_unmapped(lane: str, sop: str, count: int, unknown: Sequence[str]) -> tuple[str, str]:
    codes = ", ".join(unknown)
    en_why = f" (it names {codes}, which the organization does not have)" if unknown else ""
    id_why = f" (kode {codes} tidak ada di organisasi)" if unknown else ""
    return (
        f'Lane "{lane}" of SOP {sop} is mapped to no existing position{en_why}, so nobody is '
        f"responsible for its {count} activities. Map the lane to one position.",
        f'Pelaksana "{lane}" pada SOP {sop} tidak dipetakan ke jabatan yang ada{id_why}, '
        f"sehingga {count} kegiatannya tidak punya penanggung jawab. Petakan pelaksana ini ke "
        "satu jabatan.",
    )


def lane_several(
    lane: str, sop: str, positions: Sequence[str], agencies: int, count: int
) -> tuple[str, str]:
    codes = ", ".join(positions)
    en_units = f" in {agencies} agencies" if agencies > 1 else ""
    id_units = f" di {agencies} perangkat daerah" if agencies > 1 else ""
    return (
        f'Lane "{lane}" of SOP {sop} is mapped to {len(positions)} positions ({codes}){en_units}: '
        f"it is unclear which of them performs its {count} activities. Map the lane to one "
        "position, or split it into one lane per position.",
        f'Pelaksana "{lane}" pada SOP {sop} dipetakan ke {len(positions)} jabatan '
        f"({codes}){id_units}: tidak jelas siapa yang melaksanakan {count} kegiatannya. Petakan "
        "ke satu jabatan, atau pecah menjadi satu lajur per jabatan.",
    )


def performers_named(name: str, sop: str, phrase: str) -> tuple[str, str]:
    return (
        f'Activity "{name}" in SOP {sop} names several performers ("{phrase}"), so who does it '
        "is decided case by case. Name one performer per activity.",
        f'Kegiatan "{name}" pada SOP {sop} menyebut beberapa pelaksana ("{phrase}"), sehingga '
        "siapa yang mengerjakan ditentukan kasus per kasus. Tetapkan satu pelaksana untuk "
        "setiap kegiatan.",
    )


def performers_twins(
    sop: str, refs: Sequence[ActivityRef], score: float, one_path: bool
) -> tuple[str, str]:
    en_list, id_list = _activities(refs, same_sop=True)
    head_en = (
        f"In SOP {sop} the same activity is performed by different positions: {en_list} "
        f"(similarity {_percent(score)})."
    )
    head_id = (
        f"Pada SOP {sop} kegiatan yang sama dilaksanakan oleh jabatan yang berbeda: {id_list} "
        f"(kemiripan {_percent(score)})."
    )
    if one_path:
        return (
            f"{head_en} They lie on one path, so each request has the same work done twice; "
            "keep one.",
            f"{head_id} Keduanya berada pada satu alur, sehingga pekerjaan yang sama dilakukan "
            "dua kali untuk setiap permohonan; pertahankan salah satu.",
        )
    return (
        f"{head_en} They lie on alternative branches, so each request meets only one of them; "
        "check that the decision between them is clear.",
        f"{head_id} Keduanya berada pada cabang alternatif, sehingga setiap permohonan hanya "
        "melalui salah satunya; pastikan keputusan di antara keduanya jelas.",
    )


def similar_activity(
    refs: Sequence[ActivityRef], score: float, positions: int, units: int, sops: int
) -> tuple[str, str]:
    en_list, id_list = _activities(refs)
    return (
        f"{len(refs)} near-identical activities (similarity at least {_percent(score)}) are "
        f"performed by {positions} different positions in {units} units across {sops} SOPs: "
        f"{en_list}. The same work may be done twice; decide which unit owns it.",
        f"{len(refs)} kegiatan yang hampir sama (kemiripan minimal {_percent(score)}) "
        f"dilaksanakan oleh {positions} jabatan berbeda di {units} unit pada {sops} SOP: "
        f"{id_list}. Pekerjaan yang sama mungkin dilakukan dua kali; tetapkan unit yang "
        "bertanggung jawab.",
    )


def repeated_check(sop: str, shared: str, refs: Sequence[ActivityRef]) -> tuple[str, str]:
    en_list, id_list = _activities(refs, same_sop=True)
    return (
        f'In SOP {sop}, "{shared}" is checked at {len(refs)} steps of one request\'s path: '
        f"{en_list}. Check it once, or state what each step checks that the others do not.",
        f'Pada SOP {sop}, "{shared}" diperiksa di {len(refs)} langkah pada alur permohonan yang '
        f"sama: {id_list}. Cukup periksa sekali, atau jelaskan apa yang diperiksa setiap "
        "langkah yang tidak diperiksa langkah lainnya.",
    )


def position_in_many_sops(
    position: str, refs: Sequence[ActivityRef], sops: int, score: float
) -> tuple[str, str]:
    name, more = refs[0].name, len(refs) - 1
    return (
        f'Position {position} does near-identical work in {sops} SOPs ("{name}" and {more} '
        f"similar activities, similarity at least {_percent(score)}). These SOPs may share one "
        "procedure for this step, or be one SOP.",
        f'Jabatan {position} melakukan pekerjaan yang hampir sama pada {sops} SOP ("{name}" '
        f"dan {more} kegiatan serupa, kemiripan minimal {_percent(score)}). SOP-SOP ini dapat "
        "memakai satu prosedur bersama untuk langkah ini, atau digabung menjadi satu SOP.",
    )
