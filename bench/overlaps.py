"""Static overlap analysis of a generated library of 1,500 SOPs: time, flags, precision/recall.

Twenty agencies with four positions each (front office, kepala seksi, kepala bidang, kepala
dinas) own the SOPs in turn. Every SOP serves its own object: a subject of its agency, a kind
and a place ("reklame insidentil pesisir"), no two SOPs of a subject sharing a kind or a
place, so their steps are alike in form but not the same work. Then known overlaps are
planted (about four per ten SOPs) and the flags are scored against them.

Usage: python bench/overlaps.py [--sops 1500] [--seed 7]
"""

import argparse
import itertools
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.forms import FormField
from engine.overlaps import ActivityFlow, analyze_library, build_flow
from engine.overlaps.evaluation import Known, evaluate
from engine.overlaps.text import word_list
from engine.sop_metadata import Activity, Lane, SopMetadata

AGENCIES = {
    "DISDUKCAPIL": ("akta kelahiran", "kartu keluarga", "akta perkawinan", "surat pindah"),
    "DPMPTSP": ("reklame", "apotek", "klinik pratama", "bengkel"),
    "DINKES": ("posyandu", "laboratorium", "praktik bidan", "optik"),
    "DISHUB": ("trayek", "terminal", "parkir", "bongkar muat"),
    "DLH": ("limbah cair", "persampahan", "taman kota", "sumur resapan"),
    "DINSOS": ("panti asuhan", "bantuan pangan", "lansia terlantar", "disabilitas"),
    "DISDIK": ("sekolah dasar", "beasiswa", "kursus", "perpustakaan sekolah"),
    "BKPSDM": ("kenaikan pangkat", "pensiun", "mutasi pegawai", "diklat"),
    "BAPENDA": ("pajak hotel", "pajak restoran", "bphtb", "pajak hiburan"),
    "PUPR": ("drainase", "jembatan", "trotoar", "irigasi"),
    "DISPERKIM": ("rusunawa", "makam", "prasarana permukiman", "rumah swadaya"),
    "DISNAKER": ("kartu kuning", "pelatihan kerja", "upah minimum", "lembaga pelatihan"),
    "DISKOMINFO": ("menara telekomunikasi", "website", "aduan publik", "statistik sektoral"),
    "SATPOLPP": ("penertiban pedagang", "ketertiban umum", "bangunan liar", "linmas"),
    "DKPP": ("cadangan pangan", "pupuk", "ternak", "benih"),
    "DISPORA": ("gelanggang olahraga", "kepemudaan", "atlet", "stadion"),
    "DISPARBUD": ("cagar budaya", "sanggar seni", "objek wisata", "festival"),
    "DKUMP": ("koperasi", "usaha mikro", "pasar rakyat", "kios"),
    "DISPERINDAG": ("tera ulang", "gudang", "toko swalayan", "kerajinan"),
    "KESBANGPOL": ("ormas", "penelitian", "partai politik", "forum kerukunan"),
}
KINDS = sorted(
    word_list(
        """insidentil tetap permanen sementara berkala tahunan mingguan harian darurat khusus
mandiri kolektif perorangan swasta negeri terpadu modern tradisional digital elektronik manual
keliling bergerak lanjutan perpanjangan perubahan pencabutan pengganti duplikat susulan
prioritas reguler lintas sederhana kompleks perdana kilat gabungan tunggal ganda musiman
unggulan percontohan rintisan strategis"""
    )
)
PLACES = sorted(
    word_list(
        """pesisir industri pedesaan metropolitan pariwisata pendidikan pegunungan niaga
pertanian perikanan rawa gambut keagamaan pantai pulau teluk muara bukit lembah hutan
sungai danau waduk bandara pelabuhan stasiun kampung perbatasan pinggiran perkantoran
kavling bantaran hulu hilir lereng simpang koridor blok zona sektor alun tepian dataran
tengah utara selatan"""
    )
)
ROLES = ("fo", "kasi", "kabid", "kadis")
# (role, name, requirements); "{o}" is the SOP's object, "{d}" a document it asks for.
FIRST = [
    ("fo", "Menerima berkas permohonan {o}", ["Formulir permohonan {o}", "Fotokopi KTP pemohon"]),
    ("fo", "Memeriksa kelengkapan berkas {o}", ["Formulir permohonan {o}", "{d}"]),
]
OPTIONAL = [
    ("fo", "Mencatat permohonan {o} dalam buku register", ["Buku register {o}"]),
    ("fo", "Mengunggah data {o} ke aplikasi layanan", ["Data isian {o}"]),
    ("kasi", "Melakukan peninjauan lapangan {o}", ["Jadwal peninjauan {o}"]),
    ("kasi", "Menyusun berita acara peninjauan {o}", ["Catatan peninjauan {o}"]),
    ("kasi", "Menyusun kajian teknis {o}", ["Standar teknis {o}"]),
    ("kasi", "Menghitung retribusi {o}", ["Tarif retribusi {o}"]),
    ("kasi", "Memvalidasi data {o}", ["Data isian {o}"]),
    ("kasi", "Menyusun konsep keputusan {o}", ["Kajian teknis {o}"]),
    ("kabid", "Memaraf konsep keputusan {o}", ["Konsep keputusan {o}"]),
    ("kabid", "Melaksanakan rapat koordinasi {o}", ["Undangan rapat {o}"]),
    ("kasi", "Menyusun laporan rekapitulasi {o}", ["Rekapitulasi {o}"]),
    ("kabid", "Mengevaluasi pelaksanaan layanan {o}", ["Laporan rekapitulasi {o}"]),
]
LAST = [
    ("kadis", "Menandatangani keputusan {o}", ["Konsep keputusan {o} yang telah diparaf"]),
    ("fo", "Menyerahkan keputusan {o} kepada pemohon", ["Keputusan {o}", "Tanda terima"]),
]
DOCUMENTS = (
    "Akta pendirian badan usaha",
    "Nomor Pokok Wajib Pajak",
    "Sertifikat hak milik tanah",
    "Surat keterangan domisili usaha",
    "Ijazah terakhir",
    "Surat keterangan sehat",
    "Surat pernyataan tidak keberatan tetangga",
    "Rekomendasi camat",
    "Kartu Keluarga",
    "Surat nikah",
    "Denah lokasi",
    "Bukti lunas Pajak Bumi dan Bangunan",
)
# Rewritings that keep the meaning: affixes, spelling, synonyms, stop words.
VARIANTS = {
    "Memeriksa": ("Pemeriksaan", "Mengecek", "Periksa"),
    "Menerima": ("Penerimaan", "Terima"),
    "Melakukan": ("Pelaksanaan", "Melaksanakan"),
    "Memvalidasi": ("Validasi", "Pemvalidasian"),
    "Menghitung": ("Penghitungan", "Hitung"),
    "Menyusun": ("Penyusunan", "Susun"),
    "Menandatangani": ("Tanda tangan", "Penandatanganan"),
    "berkas": ("dokumen",),
}
# Work one position does for the SOPs of other agencies (planted position_in_many_sops).
SHARED_WORK = {
    "DLH": (
        "Menerbitkan rekomendasi teknis lingkungan hidup",
        "Penerbitan rekomendasi teknis lingkungan",
    ),
    "PUPR": ("Memberikan pertimbangan tata ruang", "Pemberian pertimbangan tata ruang"),
    "DISHUB": ("Menilai dampak lalu lintas", "Penilaian dampak lalu lintas"),
    "SATPOLPP": ("Melaksanakan pengawasan ketertiban lokasi", "Pengawasan ketertiban lokasi"),
}


@dataclass
class Draft:
    key: str
    name: str
    agency: str
    obj: str
    lanes: dict[str, str | None]
    steps: list[Activity] = field(default_factory=list)
    twins: list[tuple[str, str]] = field(default_factory=list)  # on alternative branches


@dataclass
class Library:
    sops: list[SopMetadata]
    positions: dict[str, str]
    unit_parents: dict[str, str | None]
    lane_positions: dict[tuple[str, str], list[str]]
    flows: dict[str, ActivityFlow]
    planted: list[Known]


def organization() -> tuple[dict[str, str], dict[str, str | None]]:
    """80 positions in 20 agencies, each agency with one bidang below it."""
    positions: dict[str, str] = {}
    parents: dict[str, str | None] = {}
    for agency in AGENCIES:
        parents[agency], parents[f"{agency}-BID"] = None, agency
        for role in ROLES:
            unit = agency if role in ("fo", "kadis") else f"{agency}-BID"
            positions[f"{agency}-{role.upper()}"] = unit
    return positions, parents


def _objects(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(agency, object) per SOP; a kind and a place are used once per subject."""
    pairs = list(itertools.product(KINDS, PLACES))
    rng.shuffle(pairs)
    used: dict[str, set[str]] = {}
    result = []
    for index in range(count):
        agency = list(AGENCIES)[index % len(AGENCIES)]
        subject = AGENCIES[agency][(index // len(AGENCIES)) % 4]
        seen = used.setdefault(subject, set())
        k = next(i for i, (a, b) in enumerate(pairs) if a not in seen and b not in seen)
        kind, place = pairs.pop(k)
        seen.update((kind, place))
        result.append((agency, f"{subject} {kind} {place}"))
    return result


def _step(sop: Draft, id_: str, lane: str, name: str, requires: list[str]) -> Activity:
    checks = (FormField("lengkap", "boolean", "Berkas lengkap?"),) if "kelengkapan" in name else ()
    return Activity(id_, name, lane, sop.lanes[lane], None, tuple(requires), fields=checks)


def _background(index: int, agency: str, obj: str, rng: random.Random) -> Draft:
    sop = Draft(f"sop_{index:04d}", f"Pelayanan {obj.title()}", agency, obj, {})
    sop.lanes = {role: f"{agency}-{role.upper()}" for role in ROLES}
    chosen = sorted(rng.sample(range(len(OPTIONAL)), rng.randint(4, len(OPTIONAL) - 1)))
    document = DOCUMENTS[index % len(DOCUMENTS)]
    for n, (role, name, requires) in enumerate(FIRST + [OPTIONAL[i] for i in chosen] + LAST):
        reqs = [r.format(o=obj, d=document) for r in requires]
        sop.steps.append(_step(sop, f"k{n:02d}", role, name.format(o=obj), reqs))
    return sop


def _reword(name: str, rng: random.Random) -> str:
    words = [rng.choice(VARIANTS[w]) if w in VARIANTS else w for w in name.split()]
    if rng.random() < 0.5:
        words.insert(min(2, len(words)), rng.choice(("atas", "dari", "untuk")))
    return " ".join(words)


def _ids(*found: tuple[Draft, Activity]) -> frozenset[str]:
    return frozenset(f"activity:{sop.key}/{a.id}" for sop, a in found)


def _insert(sop: Draft, *steps: Activity) -> None:
    sop.steps[-2:-2] = steps


def _plant(sops: list[Draft], rng: random.Random, planted: list[Known]) -> dict:
    """Plant known overlaps; returns the lanes mapped to two positions."""
    order = rng.sample(range(len(sops)), len(sops))
    picks = (sops[i] for i in order)
    scale = max(1, len(sops) // 100)
    for n in range(4 * scale):  # similar_activity: another agency does the same step again
        source = next(picks)
        target = next(s for s in picks if s.agency != source.agency)
        original = rng.choice([a for a in source.steps[2:-2] if a.requirements])
        copy = _step(
            target, f"salin_{n}", "kasi", _reword(original.name, rng), list(original.requirements)
        )
        _insert(target, copy)
        planted.append(Known("similar_activity", _ids((source, original), (target, copy))))
    for n in range(3 * scale):  # repeated_check: a document checked again later on the path
        sop = next(picks)
        document = sop.steps[1].requirements[-1].lower()
        name = f"Memverifikasi keabsahan {document} pemohon {sop.obj}"
        check = _step(sop, f"cek_ulang_{n}", "kasi", name, [f"Berkas permohonan {sop.obj}"])
        _insert(sop, check)
        planted.append(Known("repeated_check", _ids((sop, sop.steps[1]), (sop, check))))
    overrides = {}
    for n in range(scale):  # lanes mapped to no position or to two; several performers
        sop = next(picks)
        sop.lanes["tim_teknis"] = None
        _insert(
            sop, _step(sop, f"ukur_{n}", "tim_teknis", f"Melakukan pengukuran lokasi {sop.obj}", [])
        )
        planted.append(Known("lane_unmapped", frozenset({f"lane:{sop.key}/tim_teknis"})))
        sop = next(picks)
        other = rng.choice([a for a in AGENCIES if a != sop.agency])
        overrides[(sop.key, "kasi")] = [f"{sop.agency}-KASI", f"{other}-KABID"]
        planted.append(Known("lane_several", frozenset({f"lane:{sop.key}/kasi"})))
        sop = next(picks)
        k = rng.randrange(2, len(sop.steps) - 2)
        step = sop.steps[k]
        name = f"Kasi atau Kabid {step.name[0].lower()}{step.name[1:]}"
        sop.steps[k] = _step(sop, step.id, step.lane_id or "", name, list(step.requirements))
        planted.append(Known("several_performers", _ids((sop, step))))
        sop = next(picks)
        name, requires = f"Melakukan uji petik {sop.obj}", [f"Surat tugas uji petik {sop.obj}"]
        twins = (
            _step(sop, "uji_kasi", "kasi", name, requires),
            _step(sop, "uji_kabid", "kabid", name, requires),
        )
        _insert(sop, *twins)
        sop.twins.append((twins[0].id, twins[1].id))
        planted.append(Known("several_performers", _ids((sop, twins[0]), (sop, twins[1]))))
    for agency, names in SHARED_WORK.items():  # position_in_many_sops
        found = []
        for _ in range(rng.randint(6, 8)):
            sop = next(s for s in picks if s.agency != agency)
            sop.lanes["mitra"] = f"{agency}-KABID"
            step = _step(sop, "mitra", "mitra", rng.choice(names), [f"Permohonan {sop.obj}"])
            _insert(sop, step)
            found.append((sop, step))
        planted.append(Known("position_in_many_sops", _ids(*found)))
    return overrides


def _flow(sop: Draft) -> ActivityFlow:
    """The steps in order; each pair of twins on two branches between the same neighbours."""
    partner = dict(sop.twins)
    edges, previous = [], ["start"]
    for step in sop.steps:
        if step.id in partner.values():
            continue
        here = [step.id, partner[step.id]] if step.id in partner else [step.id]
        edges += [(p, h) for p in previous for h in here]
        previous = here
    return build_flow(edges, [s.id for s in sop.steps], ["start"])


def generate(count: int = 1500, seed: int = 7) -> Library:
    rng = random.Random(seed)
    drafts = [_background(i, a, o, rng) for i, (a, o) in enumerate(_objects(count, rng))]
    positions, parents = organization()
    planted: list[Known] = []
    overrides = _plant(drafts, rng, planted)
    sops = [
        SopMetadata(
            d.key,
            d.name,
            lanes=tuple(Lane(k, k.replace("_", " ").title(), code) for k, code in d.lanes.items()),
            activities=tuple(d.steps),
        )
        for d in drafts
    ]
    flows = {d.key: _flow(d) for d in drafts}
    return Library(sops, positions, parents, overrides, flows, planted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sops", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    library = generate(args.sops, args.seed)
    activities = sum(len(s.activities) for s in library.sops)
    print(f"{len(library.sops)} SOPs, {activities} activities, {len(library.positions)} positions")

    def progress(done: int, total: int) -> None:
        print(f"\ranalysing... {100 * done // total:3d}% ({done}/{total})", end="", file=sys.stderr)

    start = time.perf_counter()
    flags = analyze_library(
        library.sops,
        library.positions,
        lane_positions=library.lane_positions,
        flows=library.flows,
        unit_parents=library.unit_parents,
        progress=progress,
    )
    elapsed = time.perf_counter() - start
    print(file=sys.stderr)
    print(f"static analysis: {elapsed:.2f} s\n")
    found = Counter(str(f.kind) for f in flags)
    known = Counter(k.kind for k in library.planted)
    print(f"{'kind':24} {'flags':>6} {'planted':>8} {'precision':>10} {'recall':>7}")
    for kind in sorted(found | known):
        score = evaluate(
            [f for f in flags if f.kind == kind], [k for k in library.planted if k.kind == kind]
        )
        print(
            f"{kind:24} {found[kind]:6} {known[kind]:8} {score.precision:10.3f} {score.recall:7.3f}"
        )
    print(f"\nall flags: {evaluate(flags, library.planted)}")


if __name__ == "__main__":
    main()
