"""Languages: Bahasa Indonesia by default, English on request; dates in the organization's zone.

Strings are written in English in the code and templates and translated to Indonesian in the
``.po`` files of ``web/translations/id/`` (one per area of the app, so they can be edited apart).
When the app starts they are merged and compiled into ``id/LC_MESSAGES/messages.mo`` if any is
newer than it, so no build step is needed.
"""

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, request
from flask_babel import Babel, get_locale
from flask_login import current_user

from web.usecases.organization.login import timezone_of

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("id", "en")
LANGUAGE_COOKIE = "alur_lang"


def read_catalog(language: str) -> Catalog:
    """All translations of ``language``, merged from its .po files."""
    merged = Catalog(locale=language)
    for po_path in sorted((TRANSLATIONS / language).glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language)
        # Babel guesses two plural forms for Indonesian; the files' header says one
        # (nplurals=1), and without it every plural with n != 1 falls back to English.
        merged.mime_headers = [h for h in catalog.mime_headers if h[0] == "Plural-Forms"]
        for message in catalog:
            if message.id:
                merged[message.id] = message
    return merged


def compile_catalogs() -> None:
    """Compile each language's .po files into its messages.mo when one of them is newer."""
    for language_dir in TRANSLATIONS.iterdir():
        sources = list(language_dir.glob("*.po"))
        if not sources:
            continue
        mo_path = language_dir / "LC_MESSAGES" / "messages.mo"
        newest = max(p.stat().st_mtime for p in sources)
        if mo_path.exists() and mo_path.stat().st_mtime >= newest:
            continue
        mo_path.parent.mkdir(exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, read_catalog(language_dir.name))


def select_locale() -> str:
    """The user's saved language, else the language cookie, else Indonesian."""
    if current_user.is_authenticated:
        return current_user.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else "id"


def select_timezone() -> str:
    """The zone of the user's organization (logged in on a page or by API token), else WIB."""
    if current_user.is_authenticated:
        return current_user.timezone
    actor = g.get("actor")
    if actor is not None and actor.user_id is not None:
        zone = timezone_of(current_app.extensions["alur"]["context"], actor.user_id)
        if zone is not None:
            return zone
    return "Asia/Jakarta"


def init_i18n(app: Flask) -> None:
    compile_catalogs()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "id")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "id")
