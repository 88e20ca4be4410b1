"""Timer text as modelers write it becomes an expression the engine evaluates safely."""

import pytest

from engine.expressions import evaluate
from engine.timer_expressions import normalize


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("timeDuration", "P2D", "'P2D'"),
        ("timeDuration", "  PT4H \n", "'PT4H'"),
        ("timeDuration", "PT30M", "'PT30M'"),
        ("timeDuration", "P1DT2H", "'P1DT2H'"),
        ("timeDuration", "P1W", "'P1W'"),
        ("timeDuration", "PT1.5S", "'PT1.5S'"),
        ("timeDuration", '"P3D"', '"P3D"'),
        ("timeDuration", "'P3D'", "'P3D'"),
        ("timeDuration", "batas_waktu", "batas_waktu"),
        ("timeDuration", "'PT' + str(jam) + 'H'", "'PT' + str(jam) + 'H'"),
        ("timeDate", "2026-01-31T16:00:00+07:00", "'2026-01-31T16:00:00+07:00'"),
        ("timeDate", "2026-01-31T09:00Z", "'2026-01-31T09:00Z'"),
        ("timeDate", "2026-01-31T16:00:00.5+0700", "'2026-01-31T16:00:00.5+0700'"),
        ("timeDate", "'2026-01-31T16:00:00+07:00'", "'2026-01-31T16:00:00+07:00'"),
        ("timeDate", "tanggal_sidang", "tanggal_sidang"),
        ("timeCycle", "R3/PT1H", "'R3/PT1H'"),
        ("timeCycle", "R/P1D", "'R/P1D'"),
        ("timeCycle", "R2/2026-01-05T08:00:00+07:00/P1D", "'R2/2026-01-05T08:00:00+07:00/P1D'"),
    ],
)
def test_accepted_timer_text(kind: str, text: str, expected: str) -> None:
    assert normalize(kind, text) == (expected, None)


def test_normalised_literal_evaluates_to_the_iso_text() -> None:
    expression, _ = normalize("timeDuration", "P2D")
    assert evaluate(expression, {}) == "P2D"


@pytest.mark.parametrize(
    ("kind", "text", "reason"),
    [
        ("timeDuration", "P2X", "not an ISO 8601 timeDuration"),
        ("timeDuration", "PT2", "not an ISO 8601 timeDuration"),
        ("timeDuration", "'P2X'", "not an ISO 8601 timeDuration"),
        ("timeDuration", "'dua hari'", "not an ISO 8601 timeDuration"),
        ("timeDuration", "2 hari", "is refused"),
        ("timeDuration", "", "is refused"),
        ("timeDuration", "__import__('os')", "is refused"),
        ("timeDuration", "batas.__class__", "is refused"),
        ("timeDate", "2026-01-31T16:00:00", "no UTC offset"),
        ("timeDate", "'2026-01-31T16:00'", "no UTC offset"),
        ("timeDate", "2026-01-31", "not an ISO 8601 timeDate"),
        ("timeDate", "2026-1-31", "not an ISO 8601 timeDate"),
        ("timeDate", "'31/01/2026'", "not an ISO 8601 timeDate"),
        ("timeCycle", "R3/P", "not an ISO 8601 timeCycle"),
        ("timeCycle", "'R3'", "not an ISO 8601 timeCycle"),
        ("timeCycle", "R3/2026-01-05T08:00:00/P1D", "not an ISO 8601 timeCycle"),
    ],
)
def test_refused_timer_text_says_why(kind: str, text: str, reason: str) -> None:
    expression, why = normalize(kind, text)
    assert expression is None
    assert reason in why
