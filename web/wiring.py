"""Building the use cases' Context from settings: shared by the app, the CLI and the scheduler."""

from sqlalchemy import Engine

from engine.calendar import CalendarBook
from engine.definition import EngineOptions
from storage.db import make_engine, make_session_factory
from web.settings import Settings
from web.usecases.context import Context


def build_context(settings: Settings) -> tuple[Context, Engine]:
    engine = make_engine(settings.database_url)
    context = Context(
        sessions=make_session_factory(engine),
        engine_options=EngineOptions(
            max_bpmn_bytes=settings.max_bpmn_bytes,
            allow_script_tasks=settings.allow_script_tasks,
        ),
        calendars=CalendarBook.from_file(settings.local_holidays_file),
    )
    return context, engine
