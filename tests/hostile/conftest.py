"""One world for the whole module, as in tests/test_access.py: each test (and each hypothesis example inside it)
runs in a savepoint of the world's transaction and is rolled back.

Hypothesis and pytest-django: a function-scoped fixture is not reset between the examples of one test, so the
examples do not rely on one. Each example opens its own savepoint (`transaction.atomic()` + `set_rollback(True)`)
inside the test body: whatever a hostile submission wrote is gone before the next example.
"""

import pytest

from tests.conftest import build_world, restore_reference_data

# Passwords checked here are hostile values, each one hashed: with Django's default (PBKDF2, a million rounds) the
# forms that check a password (connexion, changement de mot de passe) cost half a second a request. What is tried
# here is the answer to hostile input, not the hashing: the world's passwords are stored with a fast hasher.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _storages(storages, location):
    return {**storages, "default": {**storages["default"], "OPTIONS": {"location": location, "base_url": None}}}


@pytest.fixture(scope="module")
def _hostile_files(tmp_path_factory):
    return tmp_path_factory.mktemp("private")


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(settings, _hostile_files):
    settings.STORAGES = _storages(settings.STORAGES, _hostile_files)
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _hostile_files):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.test import override_settings

    from tests.accounts.factories import DEFAULT_PASSWORD

    storages = _storages(settings.STORAGES, _hostile_files)
    with django_db_blocker.unblock(), override_settings(STORAGES=storages, PASSWORD_HASHERS=FAST_HASHERS):
        with transaction.atomic():
            restore_reference_data()
            world = build_world()
            password = make_password(DEFAULT_PASSWORD)
            get_user_model().objects.update(password=password)
            for membership in vars(world).values():  # the users in memory too: their sessions carry the hash
                if hasattr(membership, "user"):
                    membership.user.password = password
            yield world
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _reference_data():
    """The module's world put the reference data back once."""


@pytest.fixture
def db(world, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
