"""Timer expressions: bare ISO 8601 literals (as modelers write them) or restricted expressions.

SpiffWorkflow evaluates timer text as an expression, so ``P3D`` would be read as a variable
name; a bare ISO literal is quoted before the engine sees it. A date without a UTC offset is
refused, since the engine would read it in the server's local zone.
"""

import re

from engine import expressions

_DURATION = r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
_OFFSET = r"(Z|[+-]\d{2}:?\d{2})"
ISO_DURATION = re.compile(rf"^{_DURATION}$")
ISO_DATETIME = re.compile(rf"^{_DATETIME}{_OFFSET}$")
ISO_DATETIME_NO_OFFSET = re.compile(rf"^{_DATETIME}$")
ISO_CYCLE = re.compile(rf"^R\d*/(({_DATETIME}{_OFFSET}/)?{_DURATION})$")
_LITERAL = {
    "timeDuration": ISO_DURATION,
    "timeDate": ISO_DATETIME,
    "timeCycle": ISO_CYCLE,
}
# Text that starts like an ISO literal is one written wrong, not a variable name.
_LOOKS_ISO = re.compile(r"^(P\d|PT\d|R\d*/|\d{4}-\d)")
_EXAMPLES = {
    "timeDuration": "P3D or PT4H",
    "timeDate": "2026-01-31T16:00:00+07:00",
    "timeCycle": "R3/PT1H",
}


def _unquote(text: str) -> str | None:
    # "'PT' + str(jam) + 'H'" starts and ends with a quote too, but is an expression.
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and text[0] not in text[1:-1]:
        return text[1:-1]
    return None


def normalize(kind: str, text: str) -> tuple[str | None, str | None]:
    """Return (expression for the engine, None) or (None, why it is refused).

    ``kind`` is the BPMN element name: timeDuration, timeDate or timeCycle.
    """
    text = text.strip()
    pattern = _LITERAL[kind]
    literal = _unquote(text)
    if literal is None and pattern.match(text):
        return repr(text), None
    if kind == "timeDate" and ISO_DATETIME_NO_OFFSET.match(literal or text):
        return None, f"the date {text!r} has no UTC offset; write e.g. {_EXAMPLES[kind]}"
    if literal is not None:
        if pattern.match(literal):
            return text, None
        return None, f"{literal!r} is not an ISO 8601 {kind}; write e.g. {_EXAMPLES[kind]}"
    if _LOOKS_ISO.match(text):
        return None, f"{text!r} is not an ISO 8601 {kind}; write e.g. {_EXAMPLES[kind]}"
    reason = expressions.check(text)
    if reason:
        return None, f"timer expression {text!r} is refused: {reason}"
    return text, None
