"""Every error message the use cases declare has an Indonesian text with the same parameters."""

import ast
import importlib
import pkgutil
import string
from pathlib import Path

import pytest

import web.usecases
from storage.models import InstanceStatus, Role, WorkItemStatus
from web.i18n import read_catalog
from web.usecases.errors import MESSAGES

WEB = Path(web.usecases.__file__).parents[1]


def _declared() -> dict:
    for module in pkgutil.walk_packages(web.usecases.__path__, "web.usecases."):
        importlib.import_module(module.name)
    return dict(MESSAGES)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _actions() -> set[str]:
    """The English phrases passed as ``action=`` (shown inside "you may not {action}")."""
    found = set()
    for path in WEB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "action"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.add(node.value.value)
    return found


def test_the_use_cases_declare_their_error_codes():
    declared = _declared()

    assert len(declared) > 60
    assert {"work_item_already_completed", "work_item_not_found", "form_invalid"} <= set(declared)


@pytest.mark.parametrize("code", sorted(_declared()))
def test_each_error_code_has_an_indonesian_text_with_the_same_parameters(code):
    template = MESSAGES[code].template
    translated = read_catalog("id").get(template)

    assert translated is not None and translated.string, f"{code}: no Indonesian text"
    assert _fields(translated.string) == _fields(template), code


# Enumerations the messages name as phrases ("only {allowed} may", "is already {status}").
NAMED_VALUES = {str(v.value) for enum in (Role, InstanceStatus, WorkItemStatus) for v in enum}


@pytest.mark.parametrize("phrase", sorted(_actions() | NAMED_VALUES | {"someone else"}))
def test_each_phrase_put_into_a_message_has_an_indonesian_text(phrase):
    translated = read_catalog("id").get(phrase)

    assert translated is not None and translated.string, f"{phrase!r}: no Indonesian phrase"
