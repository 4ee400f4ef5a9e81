"""Newsletter throughput: 10,000 recipients through the portal (Celery, 2 worker processes, Redis,
PostgreSQL, the outbox) to an aiosmtpd sink, against a plain smtplib loop sending the same messages
over one connection to the same sink. Prints figures; not a test.

    .venv/bin/python bench/newsletter.py [--recipients 10000] [--concurrency 2] [--keep-db]

Needs PostgreSQL and Redis (defaults: 127.0.0.1). It creates (and afterwards drops) its own database
``portal_bench`` and uses its own queue on Redis database 12; override with BENCH_DATABASE_URL and
BENCH_REDIS_URL.
"""

import argparse
import json
import multiprocessing
import os
import platform
import smtplib
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres:portal@127.0.0.1:5432/portal_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
QUEUE = f"bench-{os.getpid()}"


def sink_process(port: int, counter, ready) -> None:
    """An aiosmtpd server in its own process that only counts what it accepted."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 Message accepted for delivery"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def database_recreate(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname,
        port=parts.port or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        name = parts.path.lstrip("/")
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def database_drop(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    connection = psycopg2.connect(
        dbname="postgres", user=parts.username or "postgres", host=parts.hostname, port=parts.port or 5432
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')
    connection.close()


def wait_for(counter, count: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while counter.value < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"sink has {counter.value} of {count} messages after {timeout}s")
        time.sleep(0.01)
    return time.monotonic()


def machine(connection) -> dict:
    import aiosmtpd
    import celery
    import django
    import kombu
    import redis

    cpu = "unknown"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    redis_version = redis.Redis.from_url(REDIS_URL).info()["redis_version"]
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "celery": celery.__version__,
        "kombu": kombu.__version__,
        "aiosmtpd": aiosmtpd.__version__,
        "postgresql": postgres,
        "redis": redis_version,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    from tests.mailsink import free_port

    port = free_port()
    os.environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_QUEUE": QUEUE,
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"),
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
            "NEWSLETTER_RATE_PER_SECOND": "0",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    print(f"Preparing: database {urlparse(DATABASE_URL).path.lstrip('/')}, {args.recipients:,} subscribers …")
    database_recreate(DATABASE_URL)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from clusters.seed import seed_facts
    from messaging.models import Newsletter, OutboundEmail, Subscriber
    from messaging.services import newsletters
    from messaging.services.outbox import _as_message
    from tests.workers import CeleryWorker, broker_queue_delete

    call_command("migrate", verbosity=0)
    acod = seed_facts()["clusters"]["acod"]
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"reader{i:06d}@example.org", status="active", confirmed_at=now, language="de")
            for i in range(args.recipients)
        ],
        batch_size=2000,
    )
    Subscriber.clusters.through.objects.bulk_create(
        [Subscriber.clusters.through(subscriber_id=s.pk, cluster_id=acod.pk) for s in subscribers], batch_size=5000
    )
    newsletter = Newsletter.objects.create(
        subject="Neuigkeiten aus der Cluster-Kooperation",
        body=(
            "# Herbst 2026\n\nLiebe Mitglieder,\n\nim November treffen sich **Automotive, IT und Logistik** "
            "in Leipzig: [Programm](/events/).\n\n- Workshop Datenräume\n- Fachkräfte-Forum\n- Messe-Rückblick\n"
        ),
    )
    newsletter.clusters.set([acod])
    info = machine(connection)

    counter = multiprocessing.Value("l", 0)
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=sink_process, args=(port, counter, ready), daemon=True)
    sink.start()
    ready.wait(10)
    worker = CeleryWorker(queue=QUEUE, env={}, concurrency=args.concurrency, name="bench")
    try:
        worker.start()
        print(f"Portal: newsletter to {args.recipients:,} subscribers, {args.concurrency} worker processes …")
        started = time.monotonic()
        newsletters.newsletter_send(newsletter=newsletter)
        portal_seconds = wait_for(counter, args.recipients, timeout=1800) - started
        worker.stop()
        newsletter.refresh_from_db()
        planning = (newsletter.planned_at - newsletter.started_at).total_seconds()
        emails = OutboundEmail.objects.filter(delivery__newsletter=newsletter)
        states = dict(emails.values_list("status").annotate(n=Count("pk")).order_by())

        print("smtplib: the same messages over one connection …")
        messages = [
            (row.to_email, _as_message(row, connection=None).message().as_bytes(linesep="\r\n"))
            for row in emails.order_by("pk").iterator()
        ]
        with counter.get_lock():
            counter.value = 0
        started = time.monotonic()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for to, raw in messages:
                smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [to], raw)
        smtplib_seconds = wait_for(counter, len(messages), timeout=600) - started
    finally:
        worker.stop()
        sink.terminate()
        broker_queue_delete(QUEUE)
        connection.close()
        if not args.keep_db:
            database_drop(DATABASE_URL)

    portal_rate = args.recipients / portal_seconds
    smtplib_rate = len(messages) / smtplib_seconds
    size = sum(len(raw) for _to, raw in messages) / len(messages)
    print()
    print(f"Machine: {info['cores']} cores, {info['cpu']}; {info['os']}")
    print(
        f"         Python {info['python']}, Django {info['django']}, Celery {info['celery']}, kombu {info['kombu']}, "
        f"PostgreSQL {info['postgresql']}, Redis {info['redis']}, aiosmtpd {info['aiosmtpd']}"
    )
    print(
        f"Newsletter: {args.recipients:,} recipients, {size / 1024:.1f} KiB per message, "
        f"batches of {settings.NEWSLETTER_BATCH_SIZE} per SMTP connection; outbox states afterwards: {states}"
    )
    print()
    rows = [
        (f"portal: outbox, Celery ({args.concurrency} processes), Redis, one row lock per message",
         f"{args.recipients}", f"{portal_seconds:.1f}", f"{portal_rate:.0f}"),
        ("  of which planning (deliveries + rendered outbox rows)", "", f"{planning:.1f}", ""),
        ("plain smtplib loop, one connection, messages built beforehand",
         f"{len(messages)}", f"{smtplib_seconds:.1f}", f"{smtplib_rate:.0f}"),
    ]  # fmt: skip
    print(f"| {'path':<70} | {'messages':>8} | {'seconds':>7} | {'msg/s':>6} |")
    print(f"|{'-' * 72}|{'-' * 9}:|{'-' * 8}:|{'-' * 7}:|")
    for path, count, seconds, rate in rows:
        print(f"| {path:<70} | {count:>8} | {seconds:>7} | {rate:>6} |")
    print()
    print(f"Ratio portal / smtplib: {portal_rate / smtplib_rate:.2f}")

    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    out = results / f"newsletter-{datetime.now():%Y%m%d-%H%M%S}.json"
    figures = {
        "machine": info,
        "recipients": args.recipients,
        "concurrency": args.concurrency,
        "batch_size": settings.NEWSLETTER_BATCH_SIZE,
        "portal_seconds": portal_seconds,
        "portal_planning_seconds": planning,
        "portal_rate": portal_rate,
        "smtplib_seconds": smtplib_seconds,
        "smtplib_rate": smtplib_rate,
        "ratio": portal_rate / smtplib_rate,
    }
    out.write_text(json.dumps(figures, indent=2))
    print(f"Saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
