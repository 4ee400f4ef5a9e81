"""The portal benchmark: realistic volume on PostgreSQL, gunicorn with production settings, load from wrk.

    make bench      # or: .venv/bin/python bench/run.py [--rounds 3] [--duration 10] [--no-page-cache] ...

Seeds its own database (bench/volume.py), serves the portal with gunicorn (DEBUG off, static files from
WhiteNoise, Redis cache and broker as in production) and drives wrk from a second process against the pages
of bench/pages.py and a bare Django view served by the same process through the same middleware, the bare
view right before each page. Prints for each: requests/s, p50, p99, errors and the ratio to the bare view
(medians over the rounds); then a sign-up burst of 200 members for 50 seats; then the newsletter figure
(bench/newsletter.py); and the machine it ran on. Not a test: it prints figures (and keeps them as JSON in
bench/results/).
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The same variables as bench/newsletter.py: a database of its own (dropped and created again on every run)
# and Redis database 12 for the cache and the broker queue.
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres:portal@127.0.0.1:5432/portal_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
QUEUE = f"bench-pages-{os.getpid()}"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def bench_env(port: int, *, page_cache: bool = True) -> dict:
    """Production settings (DEBUG off, manifest static files served by WhiteNoise), plain HTTP on loopback.

    A broker is configured as in production, so a registration only publishes its e-mail task after commit;
    nothing consumes the benchmark's queue (it is deleted afterwards) and no e-mail leaves the machine.
    """
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "CELERY", "EMAIL"))},
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_QUEUE": QUEUE,
        "EMAIL_URL": "dummymail://",
        "STATIC_MANIFEST": "1",
        "CONN_MAX_AGE": "60",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
        "SITE_URL": f"http://127.0.0.1:{port}",
        **({} if page_cache else {"PAGE_CACHE_SECONDS": "0"}),
    }


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return result.stdout if capture else ""


def recreate_database() -> None:
    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(parts._replace(path="/postgres").geturl())
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def analyze() -> None:
    """Planner statistics for the freshly bulk-loaded tables, as autovacuum keeps them on a live database
    (without them PostgreSQL estimates one row per table and the dashboard takes four times as long)."""
    connection = psycopg2.connect(DATABASE_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def redis_reset() -> None:
    """Empty the benchmark's Redis database: cached fragments of an earlier run name rows that no longer exist."""
    redis.Redis.from_url(REDIS_URL).flushdb()


PREPARE = """
import json
from bench.volume import seed_volume
from django.test import Client
from django.contrib.auth import get_user_model
from clusters.models import BoardPosition
from events.models import Event
counts = seed_volume()
User = get_user_model()
def session_for(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
board = BoardPosition.objects.select_related("person").filter(until__isnull=True).first().person
board.user = User.objects.create_user(email="board@bench.example", password="bench-password-2019")
board.save()
member = User.objects.get(email="member000@bench.example")
# The next public joint event with a waiting list: the richest detail page a visitor sees.
event = (
    Event.objects.joint().upcoming().filter(slug__startswith="bench-event-", audience="public", capacity__lt=100)
    .order_by("starts_at").first()
)
print(json.dumps({
    "counts": counts,
    "member_session": session_for(member),
    "board_session": session_for(board.user),
    "event_slug": event.slug,
    "burst_sessions": [
        session_for(u) for u in User.objects.filter(email__endswith="@bench.example", email__startswith="member")
    ],
}))
"""


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer at {url}")


WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, duration: int, connections: int, cookie: str | None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = {p: float(v) * UNITS[u] for p, v, u in WRK_LATENCY.findall(output)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    return {"rps": rps, "p50": latency.get("50"), "p99": latency.get("99"), "errors": errors}


def check_page(url: str, cookie: str | None) -> None:
    """A page must answer 200 itself: wrk counts a redirect to the login page as a success."""
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200: the benchmark would measure the wrong page")


def machine() -> dict:
    def first_line(command):
        try:
            result = subprocess.run(command, capture_output=True, text=True)
            return (result.stdout or result.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    import django
    import gunicorn

    connection = psycopg2.connect(DATABASE_URL)
    try:
        postgres = connection.server_version
    finally:
        connection.close()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "postgresql": f"{postgres // 10000}.{postgres % 10000}",
        "redis": redis.Redis.from_url(REDIS_URL).info()["redis_version"],
        "wrk": first_line(["wrk", "--version"]).split(" [")[0].removeprefix("wrk "),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (medians are reported)")
    parser.add_argument("--connections", type=int, default=10, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", help="benchmark only the pages whose name contains this (and the bare view)")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="every request renders its page (PAGE_CACHE_SECONDS=0)"
    )
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--skip-newsletter", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    env = bench_env(args.port, page_cache=not args.no_page_cache)
    log(f"recreating the benchmark database {urlsplit(DATABASE_URL).path.lstrip('/')} and seeding the volume …")
    recreate_database()
    redis_reset()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    started = time.monotonic()
    prepared = json.loads(manage(env, "shell", "-v0", "-c", PREPARE, capture=True).strip().splitlines()[-1])
    prepared["database_url"] = DATABASE_URL
    analyze()
    log(f"seeded in {time.monotonic() - started:.0f}s: {prepared['counts']}")

    from bench.pages import pages, run_burst

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "portal.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{args.port}",
         "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    burst = None
    try:
        wait_for(f"{base}/healthz")
        targets = [
            (name, path, session)
            for name, path, session in pages(prepared)
            if not args.only or name == "bare view" or args.only in name
        ]
        for _name, path, session in targets:
            check_page(base + path, prepared[session] if session else None)
        results = {name: [] for name, _path, _session in targets}
        ratios = {name: [] for name, _path, _session in targets}
        bare_name, bare_path, _none = targets[0]
        for round_number in range(args.rounds):
            log(f"round {round_number + 1}/{args.rounds}")
            for name, path, session in targets[1:]:
                # The bare view right before each page: the ratio compares two runs ten seconds apart, so
                # that load from elsewhere on the machine changes both rather than one.
                bare = wrk(base + bare_path, duration=args.duration, connections=args.connections, cookie=None)
                cookie = prepared[session] if session else None
                wrk(base + path, duration=2, connections=args.connections, cookie=cookie)  # warm-up
                run = wrk(base + path, duration=args.duration, connections=args.connections, cookie=cookie)
                results[bare_name].append(bare)
                results[name].append(run)
                ratios[name].append(run["rps"] / bare["rps"])
                ratios[bare_name].append(1.0)
        if not args.skip_burst:
            log("sign-up burst …")
            burst = run_burst(base, prepared)
    finally:
        server.terminate()
        server.wait(timeout=30)
        redis.Redis.from_url(REDIS_URL).delete(QUEUE)  # the registrations' e-mail tasks, never consumed

    info = machine()
    info["gunicorn_workers"] = args.workers
    newsletter = None
    newsletter_script = ROOT / "bench" / "newsletter.py"
    if newsletter_script.exists() and not args.skip_newsletter:
        log("newsletter benchmark (creates its own copy of the database) …")
        run = subprocess.run(
            [PYTHON, str(newsletter_script)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "BENCH_DATABASE_URL": DATABASE_URL, "BENCH_REDIS_URL": REDIS_URL},
        )
        newsletter = run.stdout
        if run.returncode:
            newsletter += f"\nnewsletter benchmark FAILED (exit {run.returncode}):\n{run.stderr[-2000:]}"
    report(results, ratios, burst, newsletter, info, args)


def report(results: dict, ratios: dict, burst: dict | None, newsletter: str | None, info: dict, args) -> None:
    print()
    print(
        f"Portal benchmark – {args.rounds} rounds × {args.duration}s per page, {args.connections} concurrent "
        f"clients, gunicorn {args.workers} sync workers, page cache {'off' if args.no_page_cache else 'on'}; "
        "medians over the rounds; × bare: the page against the bare view measured right before it"
    )
    print(f"| {'page':<30} | {'req/s':>7} | {'p50 ms':>6} | {'p99 ms':>6} | {'errors':>6} | {'× bare':>6} |")
    print(f"|{'-' * 32}|{'-' * 8}:|{'-' * 7}:|{'-' * 7}:|{'-' * 7}:|{'-' * 7}:|")
    table = {}
    for name, runs in results.items():
        row = {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "ratio": statistics.median(ratios[name]),
            "rounds": runs,
        }
        table[name] = row
        print(
            f"| {name:<30} | {row['rps']:>7.0f} | {row['p50']:>6.1f} | {row['p99']:>6.1f} | {row['errors']:>6} "
            f"| {row['ratio']:>6.2f} |"
        )
    bare_rps = [run["rps"] for run in results["bare view"]]
    disturbed = [i for i, rps in enumerate(bare_rps) if rps < 0.75 * statistics.median(bare_rps)]
    if disturbed:
        print(
            f"Warning: {len(disturbed)} of {len(bare_rps)} runs of the bare view were more than 25 % below their "
            "median – something else ran on the machine; run again for clean figures."
        )
    missed = [n for n, r in table.items() if n != "bare view" and (r["ratio"] < 0.5 or r["p99"] >= 100 or r["errors"])]
    print()
    print(
        "Targets (≥ 0.5 × bare view, p99 < 100 ms, no errors): "
        + ("all pages meet them." if not missed else "missed by " + ", ".join(missed) + ".")
    )
    if burst:
        print()
        print(
            f"Sign-up burst: {burst['requests']} members at once for {burst['capacity']} seats – all served in "
            f"{burst['seconds']:.2f} s, p50 {burst['p50_ms']:.0f} ms, p99 {burst['p99_ms']:.0f} ms, "
            f"{burst['server_errors']} server errors, {burst['other_statuses']} other unexpected answers; "
            f"{burst['confirmed']} confirmed, {burst['waiting']} on the waiting list "
            f"({'OK' if burst['ok'] else 'FAILED'}: exactly 50 confirmed, 150 waiting, no errors, within 5 s)"
        )
    if newsletter:
        print()
        print(newsletter.rstrip())
    print()
    print("Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = out / f"portal-{stamp}.json"
    path.write_text(json.dumps({"pages": table, "burst": burst, "machine": info, "newsletter": newsletter}, indent=2))
    print(f"Saved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
