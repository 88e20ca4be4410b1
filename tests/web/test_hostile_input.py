"""No input gets a 5xx: hostile ids, text, JSON, numbers and dates against every route.

The routes come from ``app.url_map``, so a new route is covered the day it is added. The API
must answer a 4xx as ``{code, message, details}``; a page must answer a 4xx error page (or
the page itself, when the input is merely ignored). A streamed answer is read to its end:
a stream that breaks half-way is a server error the client sees too late.
"""

import re
from urllib.parse import quote

from tests.web.conftest import build_org

PASSWORD = "rahasia-uji"
BEYOND_INT = str(2**31)  # one past PostgreSQL's integer
BEYOND_BIGINT = str(2**63)
HUGE_NUMBER = "9" * 5000  # past Python's 4300-digit int-from-string limit
NUL = "a\x00b"

# Path segments by converter: each replaces every variable of that kind in a rule.
PATH_VALUES = {
    "int": [BEYOND_INT, BEYOND_BIGINT, HUGE_NUMBER],
    "default": [NUL, "x" * 5000],
}
NUMBER_PARAMS = ("page", "per_page", "unit", "sop", "version", "before", "after", "position")
DATE_PARAMS = ("from", "to", "week")
TEXT_PARAMS = ("sop", "q", "figure", "activity", "format", "status", "state", "kind", "next")
QUERIES = (
    [{name: value} for name in NUMBER_PARAMS for value in (BEYOND_INT, BEYOND_BIGINT, HUGE_NUMBER)]
    + [{"user": BEYOND_BIGINT}, {"version": "-" + BEYOND_BIGINT}]
    + [{name: value} for name in DATE_PARAMS for value in ("0001-01-01", "9999-12-31")]
    + [{"from": "2026-01-01", "to": "9999-12-31"}, {"from": "0001-01-01", "to": "2026-01-01"}]
    + [{name: NUL} for name in TEXT_PARAMS]
    + [{"figure": "started", name: BEYOND_BIGINT} for name in ("position", "user", "page")]
    + [{"figure": "started", "week": "0001-01-01"}, {"figure": "started", "page": HUGE_NUMBER}]
)
DEEP = "[" * 10_000 + "]" * 10_000  # past the recursion limit of the json module
JSON_BODIES = [
    DEEP,
    '{"sop": "x", "data": ' + DEEP + "}",
    '{"sop": "x", "data": {"n": ' + HUGE_NUMBER + "}}",
    '{"sop": "x", "data": {"n": 1e400}}',
    '{"sop": "x", "data": {"n": NaN}}',
    '{"sop": "a\\u0000b", "data": {"t": "a\\u0000b"}, "reason": "a\\u0000b"}',
    '{"data": {"a\\u0000b": 1}, "comment": "a\\u0000b"}',
]
FORMS = [
    {"username": NUL, "password": NUL, "name": NUL, "code": NUL, "note": NUL},
    {"page": HUGE_NUMBER, "unit": HUGE_NUMBER, "parent": NUL, "positions": NUL},
]


def _paths(rule) -> list[str]:
    """The rule filled with each hostile value of each of its converters (others harmless)."""
    harmless = {"int": "1", "default": "uji_sop"}
    kinds = {name: type(conv).__name__ for name, conv in rule._converters.items()}
    kind_of = {name: "int" if "Integer" in kind else "default" for name, kind in kinds.items()}
    paths = []
    for kind, values in PATH_VALUES.items():
        if kind not in kind_of.values():
            continue
        for value in values:
            path = rule.rule
            for name, converter in kind_of.items():
                chosen = value if converter == kind else harmless[converter]
                path = _replace(path, name, quote(chosen, safe=""))
            paths.append(path)
    filled = rule.rule
    for name, converter in kind_of.items():
        filled = _replace(filled, name, harmless[converter])
    return [filled, *paths]


def _replace(path: str, name: str, value: str) -> str:
    """``/a/<int:name>/b`` with the variable ``name`` replaced by ``value``."""
    return re.sub(rf"<(?:[^<>:]+:)?{name}>", lambda _: value, path)


def _requests(rule):
    """(method, url, kwargs) of every hostile request on one rule."""
    paths = _paths(rule)
    filled, hostile_paths = paths[0], paths[1:]
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    for method in methods:
        for path in hostile_paths:
            yield method, path, {}
        for query in QUERIES:
            yield method, filled, {"query_string": query}
        if method == "POST":
            for body in JSON_BODIES:
                yield method, filled, {"data": body, "content_type": "application/json"}
            for form in FORMS:
                yield method, filled, {"data": form}


def _problem(response, is_api: bool) -> str | None:
    try:
        response.get_data()  # a stream is read to its end
    except Exception as exc:  # the test reports every failure, not the first
        return f"the answer broke off: {exc!r}"
    if response.status_code >= 500:
        return f"status {response.status_code}"
    if is_api:
        body = response.get_json(silent=True) if response.is_json else None
        if response.status_code >= 400 and (
            not isinstance(body, dict) or set(body) != {"code", "message", "details"}
        ):
            return f"status {response.status_code} without {{code, message, details}}"
    elif response.status_code >= 400 and "text/html" not in response.content_type:
        return f"status {response.status_code} is not the error page"
    return None


def _rules(app, api: bool):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/static"):
            continue
        if rule.rule.startswith("/api") == api:
            yield rule


def _failures(app, api: bool, client_for_rule) -> list[str]:
    failures = []
    for rule in _rules(app, api):
        client, headers = client_for_rule()
        for method, url, kwargs in _requests(rule):
            response = client.open(url, method=method, headers=headers, **kwargs)
            problem = _problem(response, api)
            if problem:
                shown = {k: str(v)[:60] for k, v in kwargs.items()}
                failures.append(f"{method} {url[:80]} {shown}: {problem}")
    return failures


def test_every_api_operation_answers_hostile_input_with_a_4xx_error(app, client, auth):
    failures = _failures(app, True, lambda: (client, auth["admin"]))

    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


def test_every_page_answers_hostile_input_with_a_4xx_error_page(app, api_ctx):
    app.config["WTF_CSRF_ENABLED"] = False
    build_org(api_ctx)

    def logged_in():
        """A fresh administrator's session per route: /logout and /login end the last one."""
        client = app.test_client()
        response = client.post("/login", data={"username": "admin", "password": PASSWORD})
        assert response.status_code == 302
        assert client.get("/dashboard").status_code == 200
        return client, {}

    failures = _failures(app, False, logged_in)

    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
