"""Shared fixtures. The suite runs on PostgreSQL: without a reachable server it stops at once."""

import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

# Playwright's sync API runs an event loop in the test thread; Django would refuse ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.browser"]  # the `browser` fixture (Debian's chromium through Playwright)

SERVICE_HELP = (
    "The tests need PostgreSQL (DATABASE_URL, default postgres://postgres:portal@127.0.0.1:5432/portal).\n"
    "Start one, for example with `docker compose up -d postgres redis`, or on Debian with\n"
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`."
)


# A queue of our own for this test session: parallel runs on the same Redis, and messages left over
# from earlier runs, never reach this session's workers. Deleted at the end of the session.
TEST_QUEUE = f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def pytest_configure(config):
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
    settings.CELERY_TASK_DEFAULT_QUEUE = TEST_QUEUE
    from portal.celery import app

    app.conf.task_default_queue = TEST_QUEUE
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"DATABASE_URL points to {engine}, not PostgreSQL.\n{SERVICE_HELP}", returncode=3)
    import psycopg2

    db = settings.DATABASES["default"]
    try:
        psycopg2.connect(
            dbname="postgres",
            user=db.get("USER") or "postgres",
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError as error:
        pytest.exit(f"PostgreSQL does not answer: {error}\n{SERVICE_HELP}", returncode=3)


def pytest_unconfigure(config):
    if settings.CELERY_BROKER_URL and getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "") == TEST_QUEUE:
        from tests.workers import broker_queue_delete

        broker_queue_delete(TEST_QUEUE)


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    import psycopg2

    conn = psycopg2.connect(
        dbname="postgres", user=db.get("USER") or "postgres", host=db.get("HOST"), port=db.get("PORT") or 5432
    )
    try:
        version = conn.server_version
    finally:
        conn.close()
    return [
        f"database: PostgreSQL {version // 10000}.{version % 10000} at {db.get('HOST')}:{db.get('PORT')}",
        f"broker: {settings.CELERY_BROKER_URL or '(none: tasks in-process)'}, queue {TEST_QUEUE}",
    ]


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters and cached fragments must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many logins; the production hasher's deliberate slowness only costs time here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def facts(db):
    """The cooperation's real facts, as loaded by ``manage.py seed``."""
    from clusters.seed import seed_facts

    return seed_facts()


@pytest.fixture
def staff_user(db, facts):
    """A staff user of ACOD with the staff group's permissions."""
    from clusters.seed import staff_group_ensure
    from tests.members.factories import UserFactory

    user = UserFactory(is_staff=True, email="staff.acod@example.org")
    user.groups.add(staff_group_ensure())
    facts["clusters"]["acod"].staff.add(user)
    return user


@pytest.fixture
def deliver_outbox():
    """Send every queued outbox row through the real service (no worker runs here); returns ``mail.outbox``."""
    from django.core import mail

    from messaging.models import OutboundEmail
    from messaging.services import outbox_send

    def deliver():
        for email_id in OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED).values_list("pk", flat=True):
            outbox_send(email_id=email_id)
        return mail.outbox

    return deliver
