"""The login throttle: exact under concurrent guesses, and silent about which accounts exist."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from storage.models import Event
from web.usecases.errors import Unauthenticated
from web.usecases.organization import login

PASSWORD = "rahasia-uji"
GUESSES = 40


@pytest.fixture
def checks(monkeypatch) -> Counter:
    """Password hashes really checked, by kind: the user's own hash, or the dummy one."""
    counted: Counter = Counter()
    real_check = login.password_matches

    def counting_check(pwhash: str, password: str) -> bool:
        counted["dummy" if pwhash == login._DUMMY_HASH else "user"] += 1
        return real_check(pwhash, password)

    monkeypatch.setattr(login, "password_matches", counting_check)
    return counted


def guess_in_parallel(ctx, username: str, password: str, times: int) -> list[Exception]:
    """``times`` logins at once from as many threads; returns what each one raised."""
    start = threading.Barrier(times)
    outcomes: list[Exception] = []

    def guess() -> None:
        start.wait()
        try:
            login.authenticate_password(ctx, username, password)
        except Exception as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=guess) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_wrong_guesses_check_no_more_passwords_than_the_limit(ctx, org, checks):
    outcomes = guess_in_parallel(ctx, "ani", "salah-sandi", GUESSES)

    assert len(outcomes) == GUESSES
    assert all(type(exc) is Unauthenticated for exc in outcomes), set(map(type, outcomes))
    assert checks["user"] == login.FREE_FAILURES
    with ctx.sessions() as session:
        failed = session.scalar(
            select(func.count()).select_from(Event).where(Event.type == "login_failed")
        )
    assert failed == login.FREE_FAILURES
    with pytest.raises(Unauthenticated):  # now locked: even the right password is refused
        login.authenticate_password(ctx, "ani", PASSWORD)
    assert checks["user"] == login.FREE_FAILURES


def test_a_locked_account_answers_like_an_unknown_user(ctx, org, checks, clock):
    for _ in range(login.FREE_FAILURES):
        with pytest.raises(Unauthenticated):
            login.authenticate_password(ctx, "ani", "salah-sandi")

    with pytest.raises(Unauthenticated) as locked:
        login.authenticate_password(ctx, "ani", PASSWORD)
    with pytest.raises(Unauthenticated) as unknown:
        login.authenticate_password(ctx, "tidakada", PASSWORD)

    assert type(locked.value) is type(unknown.value)
    assert str(locked.value) == str(unknown.value)
    # Each refusal costs one hash, so timing does not tell a locked account from no account.
    assert checks["dummy"] == 2

    clock.advance(seconds=31)
    assert login.authenticate_password(ctx, "ani", PASSWORD).actor.username == "ani"
