"""Every string a person can see has an Indonesian translation, placeholders intact."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web.i18n import TRANSLATIONS, read_catalog

WEB = Path(__file__).resolve().parents[2] / "web"
METHODS = [("**/static/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_messages() -> dict[str, str]:
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(WEB),
        METHODS,
        keywords=KEYWORDS,
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        # A plural (ngettext) is one catalog entry, keyed by its singular.
        found.setdefault(message[0] if isinstance(message, tuple) else message, filename)
    return found


def test_every_visible_string_is_translated_to_indonesian():
    catalog = read_catalog("id")
    missing = {
        msgid: where
        for msgid, where in extracted_messages().items()
        if not (catalog.get(msgid) and catalog.get(msgid).string)
    }
    assert not missing, f"{len(missing)} strings lack an Indonesian translation: {missing}"


def test_translations_keep_their_placeholders():
    for message in read_catalog("id"):
        if message.id and message.string:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for translated in strings:
                assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(ids[0])), (
                    message.id
                )


def test_no_string_is_translated_two_different_ways():
    seen: dict[str, tuple[str, str]] = {}
    for po_path in sorted((TRANSLATIONS / "id").glob("*.po")):
        with po_path.open("rb") as po_file:
            for message in read_po(po_file):
                if not message.id:
                    continue
                if message.id in seen:
                    assert seen[message.id][1] == message.string, (
                        f"{message.id!r} differs in {seen[message.id][0]} and {po_path.name}"
                    )
                seen[message.id] = (po_path.name, message.string)
