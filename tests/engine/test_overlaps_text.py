"""Indonesian text normalization and similarity used to compare SOP activities."""

import pytest

from engine.overlaps.text import (
    actions,
    clauses,
    dice,
    similarity,
    stem,
    token_set,
    tokens,
    word_similarity,
)

THRESHOLD = 0.75  # engine.overlaps.Settings().threshold


@pytest.mark.parametrize(
    "word", ["verifikasi", "memverifikasi", "diverifikasi", "pemverifikasian", "terverifikasi"]
)
def test_affixes_of_verifikasi_give_one_stem(word):
    assert stem(word) == "verifikasi"


@pytest.mark.parametrize(
    ("words", "root"),
    [
        (["periksa", "memeriksa", "diperiksa", "pemeriksaan"], "periksa"),
        (["validasi", "memvalidasi", "divalidasi", "tervalidasi", "pemvalidasian"], "validasi"),
        (["arsipkan", "mengarsipkan", "pengarsipan"], "arsip"),
        (["menerbitkan", "penerbitan", "diterbitkan"], "terbit"),
        (["menindaklanjuti", "ditindaklanjuti"], "tindaklanjut"),
        (["pengesahan", "mengesahkan", "disahkan"], "sah"),
    ],
)
def test_affixes_give_one_stem(words, root):
    assert {stem(w) for w in words} == {root}


@pytest.mark.parametrize(
    "text",
    [
        "menandatangani",
        "penandatanganan",
        "ditandatangani",
        "tanda tangan",
        "menanda tangani",
        "TTD",
        "tandatangan",
    ],
)
def test_spellings_of_tanda_tangan_are_one_word(text):
    assert tokens(text) == ("tandatangan",)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("Ferifikasi berkas", "verifikasi berkas"),
        ("Verivikasi berkas", "verifikasi berkas"),
        ("Memferifikasi berkas", "verifikasi berkas"),
        ("Fotokopi KTP-el", "fotokopi kartu tanda penduduk"),
        ("Fotokopi e-KTP", "fotokopi KTP"),
        ("Suket domisili", "Surat Keterangan domisili"),
        ("Fotokopi KK", "fotokopi Kartu Keluarga"),
        ("izin praktek", "ijin praktik"),
        ("Mengecek dokumen", "memeriksa berkas"),
        ("Meneliti berkas", "pemeriksaan berkas"),
    ],
)
def test_spelling_variants_abbreviations_and_synonyms_meet(variant, canonical):
    assert tokens(variant) == tokens(canonical)


def test_punctuation_case_and_stop_words_are_dropped():
    assert tokens("Verifikasi atas berkas, dari dan untuk pemohon (RT/RW)!") == (
        "verifikasi",
        "berkas",
        "mohon",
        "rt",
        "rw",
    )


def test_numbers_and_single_letters_are_dropped():
    assert tokens("Formulir F-2.01") == ("formulir",)


def test_stems_are_cached():
    stem("pemverifikasian")
    hits = stem.cache_info().hits
    stem("pemverifikasian")
    assert stem.cache_info().hits == hits + 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Memverifikasi kelengkapan berkas", "verifikasi kelengkapan dokumen"),
        ("Pemverifikasian berkas permohonan", "Diverifikasi berkas dari pemohon"),
        ("Menandatangani surat keterangan domisili", "TTD suket domisili"),
        ("Memeriksa fotokopi KTP-el", "Pemeriksaan fotokopi kartu tanda penduduk elektronik"),
        ("Memverifkasi kelengkapan berkas", "verifikasi kelengkapan berkas"),  # a typo
    ],
)
def test_near_identical_activities_reach_the_threshold(a, b):
    assert similarity(a, b) >= THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("verifikasi berkas", "arsipkan berkas"),
        ("Menandatangani izin reklame", "Menandatangani izin trayek"),
        ("Penilaian oleh TPA", "Penilaian oleh TPT"),  # short words: no fuzzy match
        ("Menerima berkas permohonan", "Menyerahkan surat kepada pemohon"),
    ],
)
def test_different_activities_stay_below_the_threshold(a, b):
    assert similarity(a, b) < THRESHOLD


def test_similarity_is_symmetric_and_bounded():
    pairs = [("Memverifikasi berkas", "verifikasi dokumen"), ("a b c", ""), ("", "")]
    for a, b in pairs:
        assert similarity(a, b) == similarity(b, a)
        assert 0.0 <= similarity(a, b) <= 1.0
    assert similarity("Memverifikasi berkas", "Memverifikasi berkas") == 1.0


def test_rare_words_weigh_more():
    a, b = frozenset({"verifikasi", "berkas"}), frozenset({"verifikasi", "surat"})
    assert dice(a, b) == 0.5
    assert dice(a, b, {"verifikasi": 0.1, "berkas": 5.0, "surat": 5.0}) < 0.1
    assert dice(a, b, {"verifikasi": 5.0, "berkas": 0.1, "surat": 0.1}) > 0.9


def test_fuzzy_pairing_is_skipped_when_it_cannot_change_the_decision():
    a, b = frozenset({"verifkasi", "berkas"}), frozenset({"verifikasi", "berkas"})
    fuzzy = dice(a, b)
    assert fuzzy > 0.8
    assert dice(a, b, fuzzy=False) == 0.5
    assert dice(a, b, at_least=0.5) == 0.5  # already reached without it
    assert dice(a, b, at_least=0.8) == fuzzy


def test_word_similarity_forgives_one_typo():
    assert word_similarity("verifikasi", "verifkasi") > 0.7
    assert word_similarity("lahir", "hadir") < 0.5


def test_clauses_cut_where_a_new_verb_starts():
    assert clauses("Menerima formulir cuti dan memeriksa kelengkapannya") == [
        ["menerima", "formulir", "cuti"],
        ["memeriksa", "kelengkapannya"],
    ]
    assert clauses("Memeriksa KTP, KK, dan akta kelahiran") == [
        ["memeriksa", "ktp", "kk", "dan", "akta", "kelahiran"]
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Menerima dan memeriksa kelengkapan berkas permohonan", {"terima", "periksa"}),
        ("Memverifikasi berkas", {"periksa"}),  # every check verb is one kind of work
        ("Verifikasi atas berkas", {"periksa"}),
        ("Arsipkan berkas permohonan izin trayek", {"arsip"}),  # "permohonan" is an object
        ("Penerbitan izin praktik", {"terbit"}),
        ("Surat keterangan diserahkan kepada pemohon", {"serah"}),
        ("Melaksanakan pengawasan ketertiban", {"awas"}),  # after a light verb
        ("Pemberian pertimbangan tata ruang", {"timbang"}),
        ("Kasi atau Kabid memaraf konsep", {"paraf"}),
        ("Tanda tangan suket", {"tandatangan"}),
        ("Menyusun konsep keputusan kenaikan pangkat", {"susun"}),
    ],
)
def test_actions_are_the_verbs_of_the_clauses(text, expected):
    assert actions(text) == expected


def test_token_set_of_empty_text_is_empty():
    assert token_set("  ,;  ") == frozenset()
