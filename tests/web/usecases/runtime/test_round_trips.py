"""What a claim and a completion cost the database: every officer's click pays it.

The months of `alur demo` and a busy office alike run thousands of them, so a statement read
twice or a row written in several UPDATEs is time each user waits for.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from tests.web.conftest import publish
from web.usecases.pagination import PageRequest
from web.usecases.runtime import instances, work_items


@contextmanager
def statements(engine) -> Iterator[Counter]:
    """The SQL statements run meanwhile, by their first words up to the table."""
    seen: Counter = Counter()

    def count(_conn, _cursor, statement, *_args) -> None:
        words = statement.split()
        table = words[words.index("FROM") + 1] if "FROM" in words else words[1]
        seen[f"{words[0]} {table}"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_claim_and_a_completion_read_the_request_once_and_write_the_step_once(
    ctx, org, engine, clock
):
    key = publish(ctx)
    instances.start_instance(ctx, org.actor("ani"), key, {})
    item = work_items.inbox(ctx, org.actor("ani"), PageRequest()).items[0]
    with statements(engine) as claim:
        work_items.claim(ctx, org.actor("ani"), item.id)
    clock.advance(minutes=20)
    with statements(engine) as complete:
        work_items.complete(ctx, org.actor("ani"), item.id, {})

    assert claim["UPDATE work_item"] == 1
    assert complete["UPDATE work_item"] == 1
    # The request's row (with its state) is read once, by the lock, never again.
    assert complete["SELECT instance"] == 1
