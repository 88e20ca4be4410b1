"""Domain exceptions raised by the engine; the web layer maps each to an HTTP status once."""

from dataclasses import dataclass, field

from engine.form_rules import FieldError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded SOP, named by the element it concerns."""

    code: str
    message: str
    element_id: str | None = None
    element_name: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "message": self.message,
            "element_id": self.element_id,
            "element_name": self.element_name,
        }


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class BpmnRejected(EngineError):
    """The BPMN cannot be accepted; ``problems`` lists every reason at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0].message if problems else "invalid BPMN"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


class BpmnTooLarge(BpmnRejected):
    """The file is larger than the configured cap."""


class ExpressionError(EngineError):
    """An expression was refused or failed while being evaluated."""


class TaskNotReady(EngineError):
    """The step asked for is not waiting for a person (already done, cancelled or not reached)."""


@dataclass
class FormInvalid(EngineError):
    """Submitted form data does not satisfy the form; ``errors`` maps field -> FieldError."""

    errors: dict[str, FieldError] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{name}: {error.code}" for name, error in self.errors.items())


class StateIncompatible(EngineError):
    """A stored instance state was written by a serializer format this engine does not read."""
