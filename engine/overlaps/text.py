"""Indonesian text normalization and similarity for comparing SOP activities.

``tokens`` turns "Memverifikasi kelengkapan berkas" and "verifikasi kelengkapan dokumen" into
the same stems: lowercase, punctuation gone, spelling variants and multi-word terms made one,
stop words dropped, affixes stripped by Sastrawi, then a small synonym table. ``dice`` compares
two stem sets, optionally weighted (rare words count more) and forgiving misspellings through
character trigrams.
"""

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache

from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory


def word_list(text: str) -> frozenset[str]:
    """The words of a list written as running text (long lists stay readable)."""
    return frozenset(text.split())


# Function words that say nothing about the work itself.
STOP_WORDS = word_list(
    """
    dan yang di ke dari untuk oleh atas dengan serta pada dalam kepada bagi atau secara sesuai
    telah sudah akan para beserta tersebut ini itu per melalui terhadap hingga agar supaya jika
    bila apabila maka sebagai bersama antara tentang adalah ialah yaitu yakni juga lain lainnya
    nya se setiap masing baik belum tidak perlu dapat harus bahwa karena sebelum sesudah setelah
    """
)

# Spelling variants and multi-word terms, applied to the lowercased text before tokenizing.
# Affixes around a term survive (``menanda tangani`` -> ``menandatangani``).
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"[fv]er[iy]?[fv]ikasi", "verifikasi"),
        (r"\bcheck\b|\bceck\b|\bchek\b", "cek"),
        (r"\bijin\b", "izin"),
        (r"\bpraktek\b", "praktik"),
        # the t of tanda/tindak melts into the prefix: "menanda tangani", "menindak lanjuti"
        (r"\b(\w*)anda tangan(\w*)", r"\1andatangan\2"),
        (r"\bttd\b", "tandatangan"),
        (r"\b(\w*)indak lanjut(\w*)", r"\1indaklanjut\2"),
        (r"\bkartu tanda penduduk( elektronik)?\b|\be ktp\b|\bktp el\b|\bktp e\b", "ktp"),
        (r"\bkartu keluarga\b", "kk"),
        (r"\bnomor induk kependudukan\b", "nik"),
        (r"\bsurat keterangan\b|\bsket\b", "suket"),
        (r"\bpegawai negeri sipil\b", "pns"),
        (r"\baparatur sipil negara\b", "asn"),
        (r"\brukun tetangga\b", "rt"),
        (r"\brukun warga\b", "rw"),
    )
)

# Words Sastrawi gets wrong or does not know (loanwords), and roots it lacks.
_STEM_OVERRIDES = {
    "mengecek": "cek",
    "pengecekan": "cek",
    "dicek": "cek",
    "menginput": "input",
    "menginputkan": "input",
    "diinput": "input",
    "penginputan": "input",
    "pemberitahuan": "beritahu",
    "memberitahukan": "beritahu",
    "diberitahukan": "beritahu",
}
_EXTRA_ROOTS = ("validasi", "tandatangan", "tindaklanjut", "input", "beritahu")
# Roots in Sastrawi's dictionary that swallow common words (mengecek -> ecek, pengesahan -> kesah).
_WRONG_ROOTS = ("ecek", "kece", "kesah")

# Synonyms of the SOP vocabulary, stem to canonical stem. Kept small and explicit on purpose:
# every entry makes two different activities look the same.
SYNONYMS: Mapping[str, str] = {
    "dokumen": "berkas",
    "cek": "periksa",
    "teliti": "periksa",
}

_NON_WORD = re.compile(r"[^a-z0-9]+")
# For words outside Sastrawi's dictionary (misspellings, loanwords): strip the usual prefix so
# that "memverifkasi" still meets "verifikasi" in the trigram comparison.
_LOOSE_PREFIX = re.compile(r"^(?:meng|meny|mem|men|me|di|ter|peng|pem|pen|pe)(?=.{5})")


class _SetDictionary:
    """Sastrawi's root dictionary as a set: its own is a list searched on every lookup."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(w for w in words if w)

    def contains(self, word: str) -> bool:
        return word in self._words


@cache
def _stemmer() -> Stemmer:
    words = set(StemmerFactory().get_words()) - set(_WRONG_ROOTS)
    return Stemmer(_SetDictionary(words | set(_EXTRA_ROOTS)))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The canonical stem of one lowercase word (cached: Sastrawi is slow per call)."""
    root = _STEM_OVERRIDES.get(word)
    if root is None and len(word) <= 3:
        root = word
    if root is None:
        root = _stemmer().stem(word) or word
        if root == word and not _stemmer().dictionary.contains(word):
            root = _LOOSE_PREFIX.sub("", word)
    return SYNONYMS.get(root, root)


def clean(text: str) -> str:
    """Lowercase, accents and punctuation gone, spelling variants and terms made one word."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = " ".join(_NON_WORD.sub(" ", text).split())
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return text


def words(text: str) -> list[str]:
    """The content words of ``text`` as written (cleaned, stop words and numbers dropped)."""
    return [
        w for w in clean(text).split() if w not in STOP_WORDS and len(w) > 1 and not w.isdigit()
    ]


@lru_cache(maxsize=100_000)
def tokens(text: str) -> tuple[str, ...]:
    """The stems of ``text``'s content words, in order, repeats kept."""
    return tuple(stem(w) for w in words(text))


def token_set(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


@lru_cache(maxsize=100_000)
def _trigrams(word: str) -> frozenset[str]:
    padded = f" {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


@lru_cache(maxsize=500_000)
def word_similarity(a: str, b: str) -> float:
    """Dice coefficient of character trigrams: 1.0 for equal words, ~0.75 for one typo."""
    if a == b:
        return 1.0
    ta, tb = _trigrams(a), _trigrams(b)
    return 2 * len(ta & tb) / (len(ta) + len(tb))


FUZZY_MIN_LENGTH = 5  # shorter words differ in meaning by one letter (tpa/tpt, kasi/kadis)
FUZZY_THRESHOLD = 0.7
_NO_WEIGHTS: dict[str, float] = {}


def dice(
    a: frozenset[str],
    b: frozenset[str],
    weights: Mapping[str, float] | None = None,
    fuzzy: bool = True,
    at_least: float | None = None,
    near: Mapping[str, frozenset[str]] | None = None,
) -> float:
    """Weighted Dice similarity of two stem sets in [0, 1].

    Each shared stem counts its weight on both sides (1 when ``weights`` lacks it). With
    ``fuzzy``, stems left unmatched may still pair with a misspelt stem of the other side
    (trigram similarity >= ``FUZZY_THRESHOLD``, both at least ``FUZZY_MIN_LENGTH`` long),
    counting their weight times that similarity. ``near`` (``fuzzy_neighbours``) makes that
    pairing cheap; with ``at_least`` it is only tried when it decides whether the score
    reaches ``at_least``.
    """
    if not a or not b:
        return 0.0
    get = weights.get if weights is not None else _NO_WEIGHTS.get
    total = sum(get(t, 1.0) for t in a) + sum(get(t, 1.0) for t in b)
    common = a & b
    matched = 2 * sum(get(t, 1.0) for t in common)
    if not fuzzy or (at_least is not None and matched >= at_least * total):
        return min(1.0, matched / total)
    left, right = a - common, b - common
    if near is None:
        pairs = [
            (x, y)
            for x in left
            if len(x) >= FUZZY_MIN_LENGTH
            for y in right
            if len(y) >= FUZZY_MIN_LENGTH
        ]
    else:
        pairs = [(x, y) for x in left for y in near.get(x, ()) if y in right]
    if not pairs:
        return matched / total
    return min(1.0, (matched + _fuzzy_matched(pairs, get)) / total)


def _fuzzy_matched(pairs: list[tuple[str, str]], get: Callable[..., float]) -> float:
    options = sorted(((word_similarity(x, y), x, y) for x, y in pairs), reverse=True)
    used: set[str] = set()
    matched = 0.0
    for similarity, x, y in options:
        if similarity < FUZZY_THRESHOLD:
            break
        if x in used or y in used:
            continue
        used.update((x, y))
        matched += similarity * (get(x, 1.0) + get(y, 1.0))
    return matched


def fuzzy_neighbours(vocabulary: Iterable[str]) -> dict[str, frozenset[str]]:
    """Each word of ``vocabulary`` with the others a typo away (for ``dice``'s ``near``).

    Words at trigram Dice >= t share at least t/(2-t) of each one's trigrams, so probing
    with a word's rarest trigrams but that many (less one) finds all of them, without
    comparing every pair of words.
    """
    words = sorted({w for w in vocabulary if len(w) >= FUZZY_MIN_LENGTH})
    postings: dict[str, list[str]] = defaultdict(list)
    for word in words:
        for gram in _trigrams(word):
            postings[gram].append(word)
    share = FUZZY_THRESHOLD / (2 - FUZZY_THRESHOLD)
    near: dict[str, set[str]] = defaultdict(set)
    for word in words:
        grams = sorted(_trigrams(word), key=lambda g: len(postings[g]))
        probe = grams[: len(grams) - math.ceil(share * len(grams)) + 1]
        for other in {o for g in probe for o in postings[g] if o != word}:
            if word_similarity(word, other) >= FUZZY_THRESHOLD:
                near[word].add(other)
                near[other].add(word)
    return {word: frozenset(others) for word, others in near.items()}


def containment(
    part: frozenset[str], whole: frozenset[str], weights: Mapping[str, float] | None = None
) -> float:
    """Weighted share of ``part`` found in ``whole`` (1.0 when every stem of it is there)."""
    if not part:
        return 0.0
    get = weights.get if weights is not None else _NO_WEIGHTS.get
    return sum(get(t, 1.0) for t in part & whole) / sum(get(t, 1.0) for t in part)


# Verbs of one kind of work: checking. Two activities are only the same work when they share
# a verb (``actions``), counting these as one.
ACTION_CLASSES: Mapping[str, str] = {
    "verifikasi": "periksa",
    "validasi": "periksa",
    "telaah": "periksa",
    "uji": "periksa",
    "klarifikasi": "periksa",
}
CHECK = "periksa"  # the kind of work of every check verb
# Verbs that say only "do": the work is the word after them.
LIGHT_VERBS = frozenset({"laku", "laksana", "ada", "selenggara", "beri"})
_JOINERS = ("dan", "serta", "lalu", "kemudian")
_CLAUSE_BREAK = re.compile(r"[,;:]")


def is_verb(word: str, nominal: bool = True) -> bool:
    """Whether a cleaned word reads as an action: affixed (me-, di-, -kan), a check verb, or
    with ``nominal`` an action noun (pe-...-an: "penerbitan", but also "persyaratan")."""
    root = stem(word)
    if ACTION_CLASSES.get(root, root) == CHECK:
        return True
    if root == word:
        return False
    if word.startswith(("me", "di", "ber")) or word.endswith("kan"):
        return True
    return nominal and word.startswith("pe") and word.endswith("an")


def clauses(text: str) -> list[list[str]]:
    """Cleaned words of ``text`` cut where a new verb starts.

    "Menerima berkas dan memeriksa kelengkapannya" -> [menerima berkas] [memeriksa
    kelengkapannya]; a list of objects stays whole ("memeriksa KTP, KK, dan akta").
    """
    result: list[list[str]] = []
    for part in _CLAUSE_BREAK.split(text):
        part_words = clean(part).split()
        head = next((w for w in part_words if w not in _JOINERS), None)
        if result and (head is None or not is_verb(head, nominal=False)):
            result[-1].extend(part_words)
            continue
        result.append([])
        for k, word in enumerate(part_words):
            following = part_words[k + 1] if k + 1 < len(part_words) else ""
            if word in _JOINERS and following and is_verb(following, nominal=False):
                result.append([])
            elif word not in _JOINERS or result[-1]:
                result[-1].append(word)
    return [c for c in result if c]


def clause_action(clause: list[str]) -> str | None:
    """The verb of one clause of cleaned words, as its kind of work (checks as "periksa").

    The verb is the first word when it reads as an action ("*penerbitan* izin", "*arsipkan*
    berkas"), else the first me-/di- verb ("surat *diserahkan*"). After a light verb the
    work is the next word ("melakukan *verifikasi*", "pemberian *rekomendasi*").
    """
    content = [w for w in clause if w not in STOP_WORDS]
    if content and is_verb(content[0]):
        at: int | None = 0
    else:
        at = next(
            (k for k, w in enumerate(content) if w.startswith(("me", "di")) and is_verb(w)), None
        )
    if at is None:
        return None
    root = stem(content[at])
    if root in LIGHT_VERBS and at + 1 < len(content):
        root = stem(content[at + 1])
    return ACTION_CLASSES.get(root, root)


@lru_cache(maxsize=100_000)
def actions(text: str) -> frozenset[str]:
    """The kinds of work ``text`` names: its clauses' verbs, else its first word."""
    found = {action for clause in clauses(text) if (action := clause_action(clause))}
    if not found and (content := words(text)):
        found.add(stem(content[0]))
    return frozenset(found)


def similarity(a: str, b: str) -> float:
    """Similarity of two Indonesian texts in [0, 1], every content word weighing the same."""
    return dice(token_set(a), token_set(b))
