"""The portal benchmark: realistic volume on PostgreSQL, gunicorn with production settings, load from wrk.

    make bench                        # or: .venv/bin/python bench/run.py [--duration 10] [--rounds 3]

Prints, for each page and for a bare Django view served by the same process through the same
middleware: requests/s, p50, p99, errors and the ratio to the bare view in the same round (medians
over the rounds); then a sign-up burst of 200 members for 50 seats; then the newsletter figure
(bench/newsletter.py) if present; and the machine it ran on. Not a test: it prints figures.
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
import urllib.request
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DB = "portal_bench"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def bench_env(port: int) -> dict:
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres:portal@127.0.0.1:5432")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "CELERY"))},
        "DATABASE_URL": f"{base}/{BENCH_DB}",
        "CONN_MAX_AGE": "60",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/12"),
        "LOG_LEVEL": "WARNING",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return result.stdout if capture else ""


def recreate_database() -> None:
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres:portal@127.0.0.1:5432")
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {BENCH_DB}")
    connection.close()


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
board = BoardPosition.objects.select_related("person").first().person
board.user = User.objects.create_user(email="board@bench.example", password="x")
board.save()
member = User.objects.get(email="member000@bench.example")
event = Event.objects.filter(slug__startswith="bench-event-").order_by("-starts_at").first()
print(json.dumps({
    "counts": counts,
    "member_session": session_for(member),
    "board_session": session_for(board.user),
    "event_slug": event.slug,
    "burst_sessions": [session_for(u) for u in User.objects.filter(email__startswith="member").order_by("email")],
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


def machine() -> dict:
    def version(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    import django

    return {
        "cpus": os.cpu_count(),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if "model name" in line
            ),
            platform.processor(),
        ),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgres": version(["psql", "--version"]),
        "wrk": version(["wrk", "--version"]),
        "gunicorn_workers": None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (medians are reported)")
    parser.add_argument("--connections", type=int, default=10, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-newsletter", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    env = bench_env(args.port)
    log("recreating the benchmark database and seeding the volume …")
    recreate_database()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    started = time.monotonic()
    prepared = json.loads(manage(env, "shell", "-v0", "-c", PREPARE, capture=True).strip().splitlines()[-1])
    log(f"seeded in {time.monotonic() - started:.0f}s: {prepared['counts']}")

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "portal.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{args.port}",
         "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        wait_for(f"{base}/healthz")
        from bench.pages import pages, run_burst

        targets = pages(prepared)
        results = {name: [] for name, _path, _session in targets}
        for round_number in range(args.rounds):
            log(f"round {round_number + 1}/{args.rounds}")
            for name, path, session in targets:
                cookie = prepared[session] if session else None
                wrk(base + path, duration=2, connections=args.connections, cookie=cookie)  # warm-up
                results[name].append(
                    wrk(base + path, duration=args.duration, connections=args.connections, cookie=cookie)
                )
        burst = run_burst(base, prepared)
    finally:
        server.terminate()
        server.wait(timeout=30)

    newsletter = None
    newsletter_script = ROOT / "bench" / "newsletter.py"
    if newsletter_script.exists() and not args.skip_newsletter:
        log("newsletter benchmark …")
        newsletter = subprocess.run([PYTHON, str(newsletter_script)], cwd=ROOT, capture_output=True, text=True).stdout

    info = machine()
    info["gunicorn_workers"] = args.workers
    report(results, burst, newsletter, info, args)


def report(results: dict, burst: dict, newsletter: str | None, info: dict, args) -> None:
    bare = results["bare view"]
    print()
    print(f"Portal benchmark – {args.rounds} rounds × {args.duration}s, {args.connections} clients, medians")
    print(f"{'page':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'× bare':>7}")
    table = {}
    for name, runs in results.items():
        ratios = [run["rps"] / bare_run["rps"] for run, bare_run in zip(runs, bare, strict=True)]
        row = {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "ratio": statistics.median(ratios),
        }
        table[name] = row
        print(
            f"{name:<34} {row['rps']:>8.0f} {row['p50']:>8.1f} {row['p99']:>8.1f} {row['errors']:>7} {row['ratio']:>7.2f}"
        )
    print()
    print(
        f"Sign-up burst: {burst['requests']} members, {burst['capacity']} seats – all served in "
        f"{burst['seconds']:.2f}s, p99 {burst['p99_ms']:.0f} ms, {burst['server_errors']} server errors, "
        f"{burst['confirmed']} confirmed, {burst['waiting']} on the waiting list "
        f"({'OK' if burst['ok'] else 'FAILED'})"
    )
    if newsletter:
        print()
        print(newsletter.rstrip())
    print()
    print("Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"portal-{stamp}.json").write_text(
        json.dumps({"pages": table, "burst": burst, "machine": info, "newsletter": newsletter}, indent=2)
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
