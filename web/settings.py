"""Every setting of Alur, declared once with its default and meaning.

Each is read from the environment variable ``ALUR_<NAME>``; ``create_app(config)`` and the CLI
build a :class:`Settings` through :func:`load_settings`. The README's settings table is made
from the same declarations (``alur settings``).
"""

import os
import secrets
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

_PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


DECLARATIONS: tuple[Setting, ...] = (
    Setting(
        "INSTANCE_PATH",
        str(_PROJECT_ROOT / "instance"),
        "Folder for local files: the embedded SQLite database and the generated secret key.",
    ),
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL. Default: a SQLite file `alur.sqlite` in INSTANCE_PATH. Production: "
        "`postgresql+psycopg://user:password@host:5432/alur`.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Key signing sessions. Default: generated once into INSTANCE_PATH/secret_key.",
    ),
    Setting(
        "PROCESSES_DIR",
        str(_PROJECT_ROOT / "processes"),
        "Folder of `.bpmn` SOPs that `alur load-processes` publishes.",
    ),
    Setting("MAX_BPMN_BYTES", 2 * 1024 * 1024, "Largest BPMN upload accepted, in bytes."),
    Setting(
        "ALLOW_SCRIPT_TASKS",
        False,
        "Accept BPMN script tasks (run under RestrictedPython). Off: they are refused.",
    ),
    Setting(
        "DEFAULT_TIMEZONE",
        "Asia/Jakarta",
        "Time zone of organizations created without one (WIB; WITA is Asia/Makassar, WIT "
        "Asia/Jayapura).",
    ),
    Setting("PAGE_SIZE", 25, "Default page size of lists in the API."),
    Setting("MAX_PAGE_SIZE", 200, "Largest page size a client may ask for."),
    Setting(
        "DEMO_PASSWORD",
        "sukamaju2026",
        "Password `alur demo` gives the demo users (never use demo data in production).",
    ),
    Setting(
        "TRUSTED_PROXIES",
        0,
        "How many reverse proxies stand in front of Alur and may be believed about the "
        "original request (`X-Forwarded-Proto`, `-For`, `-Host`, `-Port`). Set it to 1 behind "
        "one proxy that ends HTTPS: cookies are then marked Secure. Leave 0 when clients reach "
        "Alur directly, or anyone could forge these headers.",
    ),
    Setting("LOG_LEVEL", "INFO", "Logging level of the web and scheduler processes."),
    Setting(
        "LOCAL_HOLIDAYS_FILE",
        None,
        "Text file of local days off added to the national holidays and cuti bersama: one per "
        "line, `YYYY-MM-DD ORG-CODE Name` (`*` for every organization, `FIRST..LAST` for a "
        "range, `!` before the date to work on a national day off). Read at start.",
    ),
    Setting("SCHEDULER_INTERVAL", 30, "Seconds between two ticks of `alur scheduler`."),
    Setting(
        "NOTIFY_VIA",
        "off",
        "How queued reminders (the outbox) leave Alur: `off` (kept in the outbox, nothing is "
        "sent), `webhook` or `email`.",
    ),
    Setting(
        "WEBHOOK_URL",
        None,
        "With NOTIFY_VIA=webhook: http(s) URL each reminder is POSTed to as JSON.",
    ),
    Setting(
        "WEBHOOK_SECRET",
        None,
        "When set, each webhook carries `X-Alur-Signature: sha256=<HMAC-SHA256 of the body>`.",
    ),
    Setting("NOTIFY_TIMEOUT", 10, "Seconds to wait for the webhook receiver or the SMTP server."),
    Setting("SMTP_HOST", None, "With NOTIFY_VIA=email: the SMTP server."),
    Setting("SMTP_PORT", 587, "Port of the SMTP server."),
    Setting("SMTP_STARTTLS", True, "Upgrade the SMTP connection with STARTTLS."),
    Setting("SMTP_USERNAME", None, "SMTP login, when the server wants one."),
    Setting("SMTP_PASSWORD", None, "SMTP password."),
    Setting("SMTP_FROM", None, "Sender address of reminder emails."),
    Setting(
        "NOTIFY_EMAIL_TO",
        None,
        "Comma-separated addresses every reminder email goes to (e.g. the service desk).",
    ),
)


@dataclass(frozen=True)
class Settings:
    instance_path: str
    database_url: str
    secret_key: str
    processes_dir: str
    max_bpmn_bytes: int
    allow_script_tasks: bool
    default_timezone: str
    page_size: int
    max_page_size: int
    demo_password: str
    trusted_proxies: int
    log_level: str
    local_holidays_file: str | None
    scheduler_interval: int
    notify_via: str
    webhook_url: str | None
    webhook_secret: str | None
    notify_timeout: int
    smtp_host: str | None
    smtp_port: int
    smtp_starttls: bool
    smtp_username: str | None
    smtp_password: str | None
    smtp_from: str | None
    notify_email_to: str | None


def _convert(raw: str, default: Any, name: str) -> Any:
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"ALUR_{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"ALUR_{name} must be a whole number, not {raw!r}") from None
    return raw


def _secret_key(instance_path: Path) -> str:
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Defaults, then ``ALUR_*`` environment variables, then ``overrides`` (by setting name).

    :raises ValueError: a variable has a value of the wrong kind, or an override is unknown.
    """
    overrides = {k.upper(): v for k, v in (overrides or {}).items()}
    known = {d.name for d in DECLARATIONS}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for declaration in DECLARATIONS:
        value = declaration.default
        raw = os.environ.get(f"ALUR_{declaration.name}")
        if raw is not None:
            value = _convert(raw, declaration.default, declaration.name)
        values[declaration.name] = overrides.get(declaration.name, value)
    instance_path = Path(values["INSTANCE_PATH"])
    if not values["DATABASE_URL"]:
        instance_path.mkdir(parents=True, exist_ok=True)
        values["DATABASE_URL"] = f"sqlite:///{instance_path / 'alur.sqlite'}"
    if not values["SECRET_KEY"]:
        values["SECRET_KEY"] = _secret_key(instance_path)
    names = {f.name for f in fields(Settings)}
    return Settings(**{k.lower(): v for k, v in values.items() if k.lower() in names})
