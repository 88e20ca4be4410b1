"""Long reads (exports) do not hold the write lock: officers keep working meanwhile."""

from sqlalchemy import func, select

from storage.db import make_read_session_factory, make_session_factory, unit_of_work
from storage.models import Organization


def test_a_writer_commits_while_a_read_only_transaction_is_open(engine):
    writers = make_session_factory(engine)
    with unit_of_work(make_read_session_factory(engine)) as reader:
        before = reader.scalar(select(func.count()).select_from(Organization))
        with unit_of_work(writers) as writer:  # would wait for busy_timeout under a write lock
            writer.add(Organization(code="KOTA-B", name="Kota B", timezone="Asia/Makassar"))
        assert before == 0
    with unit_of_work(writers) as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 1
