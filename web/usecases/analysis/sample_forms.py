"""Plausible answers to a step's form for simulated requests, within the form's rules.

The simulation completes steps through the same use case as officers, so its answers must
pass the same validator: a NIK has its 16 digits, a count its bounds, a date its order.
"""

import random
import re
from datetime import date

from engine.forms import FormField
from engine.sop_metadata import Activity

HAPPY = 0.88  # chance a decision takes the SOP's main path (first choice, "yes")
NAMES = ("Siti Aminah", "Budi Santoso", "Dewi Lestari", "Ahmad Fauzi", "Rina Marlina", "Yusuf")
# Numbers that identity patterns ask for: NIK (16), NIP (18), a mobile number (12).
_DIGIT_LENGTHS = (16, 18, 12)


def _text(spec: FormField, rng: random.Random, activity: Activity) -> str | None:
    text = f"{rng.choice(NAMES)}, {activity.name[:60]}"
    pattern = spec.rules.pattern
    if pattern is None:
        return text[: spec.rules.max_length] if spec.rules.max_length else text
    for length in _DIGIT_LENGTHS:
        digits = "08" + "".join(str(rng.randint(0, 9)) for _ in range(length - 2))
        if re.fullmatch(pattern, digits):
            return digits
    return None  # a pattern we cannot sample: the field is left out


def _integer(spec: FormField, rng: random.Random) -> int:
    low = int(spec.rules.minimum) if spec.rules.minimum is not None else 1
    high = int(spec.rules.maximum) if spec.rules.maximum is not None else max(low, 12)
    return rng.randint(low, max(low, min(high, low + 11)))


def sample_form(activity: Activity, rng: random.Random, today: date) -> dict[str, object]:
    """Answers to ``activity``'s form. Dates are ``today``: the simulated clock only moves
    forward, so a date never comes before the date of an earlier step."""
    values: dict[str, object] = {}
    for spec in activity.fields:
        if spec.type == "boolean":
            values[spec.name] = rng.random() < HAPPY
        elif spec.type == "choice":
            options = [o.value for o in spec.options]
            main = rng.random() < HAPPY or len(options) == 1
            values[spec.name] = options[0] if main else rng.choice(options[1:])
        elif spec.type == "integer":
            values[spec.name] = _integer(spec, rng)
        elif spec.type == "decimal":
            values[spec.name] = round(rng.uniform(36, 400), 1)
        elif spec.type == "date":
            values[spec.name] = today.isoformat()
        else:
            text = _text(spec, rng, activity)
            if text is not None:
                values[spec.name] = text
    return values
