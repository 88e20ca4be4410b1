"""Password hashes: one place decides how they are made and checked."""

from werkzeug.security import check_password_hash, generate_password_hash

# werkzeug's scrypt (N=2**15, r=8, p=1): about 70 ms of one core per hash, on purpose, so a
# stolen database is slow to guess from. The test suite lowers it (tests/conftest.py).
METHOD = "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=METHOD)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether ``password`` made ``password_hash`` (by any method werkzeug can read)."""
    return check_password_hash(password_hash, password)
