"""Every refusal core and the services can raise has words in every language.

The codes are found in the source (every `Refusal`-family call with a literal code), so a new
code without a renderer, or a renderer that does not take the parameters raised with it, fails
here rather than in front of a person.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import bot.views
from bot.i18n import texts_for
from bot.views.refusals import RENDERERS, refusal_text
from core.people import LANGUAGES
from core.refusal import BadArgument, Refusal

ROOT = Path(__file__).resolve().parents[2]
RAISED_IN = ("core", "services")


def _load_every_view() -> None:
    for module in pkgutil.iter_modules(bot.views.__path__):
        importlib.import_module(f"bot.views.{module.name}")


def _refusal_names() -> set[str]:
    """Names of Refusal and its subclasses anywhere in core and services."""
    names = {"Refusal", "BadArgument"}
    changed = True
    trees = [ast.parse(p.read_text()) for d in RAISED_IN for p in (ROOT / d).rglob("*.py")]
    while changed:
        changed = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                    if bases & names:
                        names.add(node.name)
                        changed = True
    return names


def raised_codes() -> dict[str, set[frozenset[str]]]:
    """code → the sets of keyword parameters it is raised with."""
    names = _refusal_names()
    found: dict[str, set[frozenset[str]]] = {}
    for directory in RAISED_IN:
        for path in (ROOT / directory).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in names or not node.args:
                    continue
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    if any(k.arg is None for k in node.keywords):
                        continue  # **params: checked where they are built
                    keywords = frozenset(k.arg for k in node.keywords if k.arg)
                    found.setdefault(first.value, set()).add(keywords)
    return found


def test_codes_are_found_in_the_source() -> None:
    codes = raised_codes()
    assert "amount.not_a_number" in codes
    assert "date.unreadable" in codes


def test_every_raised_code_has_a_renderer_taking_its_parameters() -> None:
    _load_every_view()
    problems = []
    for code, uses in sorted(raised_codes().items()):
        renderer = RENDERERS.get(code)
        if renderer is None:
            problems.append(f"{code}: no renderer (add @says({code!r}) in its area's view)")
            continue
        signature = inspect.signature(renderer)
        params = list(signature.parameters.values())[1:]  # after `t`
        takes_any = any(p.kind is p.VAR_KEYWORD for p in params)
        named = {p.name for p in params if p.kind is not p.VAR_KEYWORD}
        required = {p.name for p in params if p.default is p.empty and p.kind is not p.VAR_KEYWORD}
        for keywords in uses:
            if not takes_any and not keywords <= named:
                problems.append(f"{code}: raised with {sorted(keywords - named)} it does not take")
            if not required <= keywords:
                problems.append(f"{code}: raised without {sorted(required - keywords)}")
    assert not problems, "\n".join(problems)


def test_every_renderer_is_for_a_code_something_raises() -> None:
    _load_every_view()
    raised = raised_codes()
    unused = sorted(code for code in RENDERERS if code not in raised)
    assert not unused, f"renderers nothing raises (dead words): {unused}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_reads_in_each_language(language: str) -> None:
    t = texts_for(language)
    text = refusal_text(t, BadArgument("amount.not_a_number", what="price", typed="12abc"))
    assert "12abc" in text
    if language == "ru":
        assert any("а" <= ch <= "я" for ch in text.lower())


def test_an_unknown_code_still_gets_a_line_not_a_traceback() -> None:
    text = refusal_text(texts_for("en"), Refusal("no.such.code", x=1))
    assert text and "no.such.code" not in text
