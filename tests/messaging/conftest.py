"""Fixtures of the messaging tests: a real SMTP sink, real Celery workers, the facts and some people."""

import pytest
from django.conf import settings

from tests.conftest import TEST_QUEUE
from tests.mailsink import SmtpSink
from tests.workers import CeleryWorker, broker_queue_purge, database_url


@pytest.fixture(scope="session")
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def sink(smtp_sink):
    """The session's SMTP sink, emptied for this test."""
    smtp_sink.clear()
    yield smtp_sink
    smtp_sink.clear()


@pytest.fixture
def smtp_to_sink(settings, sink):
    """In-process sending goes over real SMTP to the sink (instead of Django's test outbox)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return sink


@pytest.fixture
def start_worker(transactional_db, sink):
    """Start real ``celery -A portal worker`` processes on this session's queue, against the test
    database (committed rows only: the tests using it run with ``transactional_db``) and the sink."""
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs CELERY_BROKER_URL (Redis)")
    broker_queue_purge(TEST_QUEUE)
    env = {
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "EMAIL_URL": sink.url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": settings.SITE_URL,
        "OUTBOX_RETRY_BACKOFF_SECONDS": "1",
        "NEWSLETTER_BATCH_SIZE": str(settings.NEWSLETTER_BATCH_SIZE),
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
    }
    workers = []

    def start(*, concurrency: int = 2, name: str = "worker", **extra_env) -> CeleryWorker:
        worker = CeleryWorker(queue=TEST_QUEUE, env={**env, **extra_env}, concurrency=concurrency, name=name)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """These tests read the English wording of pages and messages; German is covered by the i18n tests."""
    settings.LANGUAGE_CODE = "en"
