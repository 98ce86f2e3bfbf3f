"""Checks on the project itself: access declared on every view, history on every model, layers in one direction."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLResolver, get_resolver

from clauses.accounts.access import ScopedQuerySet

OUR_APPS = ["accounts", "marches", "participants", "suivi", "comites", "reporting"]
# Dependencies go one way: an app may import only from the apps before it.
LAYERS = ["clauses.accounts", "marches", "participants", "suivi", "comites", "reporting"]


def iter_views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from iter_views(pattern.url_patterns)
        else:
            yield pattern.name, pattern.callback


def test_every_view_declares_who_may_open_it():
    """role_required / any_role, or explicitly open: login_not_required or membership_not_required."""
    undeclared = [
        name
        for name, view in iter_views(get_resolver().url_patterns)
        if not (
            getattr(view, "allowed_roles", None)
            or getattr(view, "login_required", True) is False
            or getattr(view, "membership_not_required", False)
        )
    ]
    assert undeclared == []


def our_models():
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


# Append-only logs: a row is never changed, so it has no history of its own.
# Logs are never changed; kept figures are computed from data that keep their history.
WITHOUT_HISTORY = {"ParticipantViewLog", "ExportLog", "KeptFigures", "KeptRow"}


def test_every_model_keeps_its_history():
    assert [m.__name__ for m in our_models() if not hasattr(m, "history") and m.__name__ not in WITHOUT_HISTORY] == []


def test_models_of_a_structure_are_scoped():
    """A model pointing to a structure porteuse must say who sees it, through ScopedQuerySet."""
    unscoped = []
    for model in our_models():
        points_to_structure = any(
            field.is_relation and field.related_model is apps.get_model("accounts", "Organisation")
            for field in model._meta.get_fields()
            if field.concrete
        )
        if points_to_structure and not isinstance(model._default_manager.all(), ScopedQuerySet):
            unscoped.append(model.__name__)
    assert unscoped == []


def imports_of(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def app_dir(layer):
    return Path(settings.BASE_DIR, *layer.split("."))


@pytest.mark.parametrize("layer", LAYERS)
def test_apps_import_only_from_the_apps_before_them(layer):
    forbidden = LAYERS[LAYERS.index(layer) + 1 :]
    offending = [
        f"{path.relative_to(settings.BASE_DIR)} → {module}"
        for path in app_dir(layer).rglob("*.py")
        for module in imports_of(path)
        if any(module == other or module.startswith(other + ".") for other in forbidden)
        or module in ("clauses.views", "clauses.urls")
    ]
    assert offending == []


@pytest.mark.parametrize("layer", LAYERS)
def test_models_and_services_never_import_tasks(layer):
    offending = [
        f"{path.relative_to(settings.BASE_DIR)} → {module}"
        for name in ("models.py", "services.py")
        for path in app_dir(layer).rglob(name)
        for module in imports_of(path)
        if module.endswith(".tasks")
    ]
    assert offending == []
