"""Form values of the simulated requests: realistic, and consistent along each request.

One applicant per request (Faker's Indonesian names, streets and phones) keeps the same NIK,
name and address at every step. Identity numbers follow their real layout: a NIK is the
district's region code, the birth date (day + 40 for women) and a serial; a NIP is the birth
date, the month of appointment, the sex and a serial. Dates that record an act (signing,
handing over, paying) are the day of the step that records it, so along a request they never
go back; deadlines and validity lie ahead, births behind.
"""

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

from engine.forms import FormField
from engine.sop_metadata import Activity

# Kemendagri code of the demo city's district (province 36, city 71, district 01): the first
# six digits of every NIK and family card (KK) of its residents.
REGION = "367101"
HAPPY = 0.88  # chance a decision takes the SOP's main path (first choice, "yes")
# Decisions that go the main way less often. The sekretaris kelurahan sends back many drafts
# of the domicile letter at the paraf: the rework the redesign (simulation.py) removes, plenty
# for the overlap analysis to flag even in a short run.
HAPPY_BY_FIELD = {"konsep_disetujui": 0.6}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
PURPOSES = (
    "Persyaratan melamar pekerjaan",
    "Pembukaan rekening bank",
    "Pendaftaran sekolah anak",
    "Pengurusan BPJS Kesehatan",
    "Persyaratan kredit usaha rakyat",
    "Pengurusan izin usaha mikro",
)
NOTES = (
    "Sesuai dengan berkas yang diajukan.",
    "Sudah dicek dengan data kependudukan.",
    "Tidak ada catatan.",
    "Mohon segera ditindaklanjuti.",
    "Sudah dikonfirmasi kepada pemohon melalui telepon.",
)
# Date fields whose value lies ahead of the step (days from it), or before the request.
AHEAD = {
    "berlaku_sampai": (180, 180),
    "batas_waktu_tindak_lanjut": (3, 10),
    "target_selesai": (5, 14),
    "tanggal_mulai_cuti": (7, 30),
}
BEFORE = {"tanggal_lahir_anak": (1, 55)}


@dataclass
class _Person:
    name: str
    female: bool
    born: date
    nik: str
    address: str
    phone: str


class DemoValues:
    """Values for the forms of the simulated requests, drawn from one seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.fake = Faker("id_ID")
        self.fake.seed_instance(rng.randrange(2**32))
        self.people: dict[int, _Person] = {}
        self.serial = 0

    def new_applicant(self, today: date) -> _Person:
        """Someone of the district, adult on ``today``."""
        female = self.rng.random() < 0.5
        name = self.fake.name_female() if female else self.fake.name_male()
        born = today - timedelta(days=self.rng.randint(18 * 365, 70 * 365))
        rt, rw = self.rng.randint(1, 9), self.rng.randint(1, 9)
        return _Person(
            name,
            female,
            born,
            nik(born, female, self.rng.randint(1, 9999)),
            f"{self.fake.street_address()}, RT 00{rt}/RW 00{rw}, Kelurahan Sukamaju",
            f"08{self.rng.choice('1258')}{self.rng.randint(10**8, 10**9 - 1)}",
        )

    def remember(self, instance_id: int, person: _Person) -> None:
        """``person`` is who the request ``instance_id`` is about, at every step."""
        self.people[instance_id] = person

    def form(self, activity: Activity, instance_id: int, today: date) -> dict[str, object]:
        """Values for every field of ``activity`` in a request, completed on ``today``."""
        if instance_id not in self.people:  # a request started before this generator existed
            self.remember(instance_id, self.new_applicant(today))
        person = self.people[instance_id]
        values = {spec.name: self._value(spec, person, today) for spec in activity.fields}
        return {name: value for name, value in values.items() if value is not None}

    def _value(self, spec: FormField, person: _Person, today: date) -> object:
        rng, name = self.rng, spec.name
        if spec.type == "boolean":
            return rng.random() < HAPPY_BY_FIELD.get(name, HAPPY)
        if spec.type == "choice":
            options = [o.value for o in spec.options]
            main = rng.random() < HAPPY or len(options) == 1
            return options[0] if main else rng.choice(options[1:])
        if spec.type == "integer":
            return self._integer(spec)
        if spec.type == "decimal":
            return round(rng.uniform(36, 400), 1)
        if spec.type == "date":
            return self._date(name, today).isoformat()
        return self._within_rules(spec, self._text(name, person, today))

    def _integer(self, spec: FormField) -> int:
        """A small count (floors of a building: 1-4), within the field's min and max."""
        rules = spec.rules
        low = int(rules.minimum) if rules.minimum is not None else 1
        high = (
            int(rules.maximum)
            if rules.maximum is not None
            else (4 if "lantai" in spec.name else 12)
        )
        return self.rng.randint(low, max(low, high))

    def _within_rules(self, spec: FormField, text: str) -> str | None:
        """``text`` cut to the field's length, or None (left out) when its pattern refuses it:
        the simulation answers through the same validator as officers."""
        if spec.rules.max_length:
            text = text[: spec.rules.max_length]
        if spec.rules.pattern and not re.fullmatch(spec.rules.pattern, text):
            return None
        return text

    def _date(self, name: str, today: date) -> date:
        if name in AHEAD:
            return today + timedelta(days=self.rng.randint(*AHEAD[name]))
        if name in BEFORE:
            return today - timedelta(days=self.rng.randint(*BEFORE[name]))
        return today  # the act the field records happens at this step

    def _text(self, name: str, person: _Person, today: date) -> str:
        if name == "nik":
            return person.nik
        if name == "nik_anak":
            return nik(today - timedelta(days=30), self.rng.random() < 0.5, self.rng.randint(1, 99))
        if name == "nomor_kk":
            return f"{REGION}{today:%d%m%y}{self.rng.randint(1, 9999):04d}"
        if name == "nip":
            return nip(person.born, person.female, self.rng)
        if name == "nama_anak":
            return f"{self.fake.first_name()} {person.name.split()[-1]}"
        if name.startswith("nama_") or name == "penerima_surat":
            return person.name
        if name == "alamat_domisili" or name == "lokasi_kejadian":
            return person.address
        if name == "kontak_pelapor":
            return person.phone
        if name == "keperluan":
            return self.rng.choice(PURPOSES)
        if name == "tempat_lahir_anak":
            return "Kota Sukamaju"
        if name == "kode_klasifikasi_arsip":
            return self.rng.choice(("000.1", "005", "400.10", "470", "800.1.11"))
        if name.startswith("nomor_"):
            self.serial += 1
            return f"470/{self.serial:04d}/KEL-SKM/{ROMAN[today.month - 1]}/{today.year}"
        if name in ("opd_tujuan", "asal_surat"):
            return self.rng.choice(("Dinas Kesehatan", "Dinas Pendidikan", "Kecamatan Sukamaju"))
        return self.rng.choice(NOTES)


def nik(born: date, female: bool, serial: int) -> str:
    """A NIK of the demo district: region code, birth day (+40 for women), month, year, serial."""
    day = born.day + (40 if female else 0)
    return f"{REGION}{day:02d}{born:%m%y}{serial:04d}"


def nip(born: date, female: bool, rng: random.Random) -> str:
    """An 18-digit NIP: birth date, year and month of appointment, sex (1/2), serial."""
    appointed = f"{born.year + rng.randint(23, 35)}{rng.randint(1, 12):02d}"
    return f"{born:%Y%m%d}{appointed}{2 if female else 1}{rng.randint(1, 999):03d}"
