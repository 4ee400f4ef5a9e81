"""What the portal benchmark drives: the pages (with the session each is requested with) and the sign-up burst.

Used by bench/run.py; needs no Django of its own (the burst talks HTTP to gunicorn and counts the outcome
with one SQL query in the benchmark database).
"""

import http.client
import math
import re
import statistics
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import psycopg2

BURST_EVENT = "bench-burst"
BURST_CAPACITY = 50
BURST_SECONDS = 5.0

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def pages(prepared: dict) -> list[tuple[str, str, str | None]]:
    """(name, path, key of the session cookie in ``prepared`` or None for an anonymous visitor).

    The bare view comes first: each round measures it before the pages it is compared with.
    """
    filtered = urlencode({"association": "acod", "joint": "on", "city": "Leipzig"})
    return [
        ("bare view", "/healthz", None),
        ("home", "/", None),
        ("event list, page 1", "/events/", None),
        ("event list, filtered", f"/events/?{filtered}", None),
        ("event list, page 1 (member)", "/events/", "member_session"),
        ("event detail", f"/events/{prepared['event_slug']}/", None),
        ("association detail", "/associations/acod/", None),
        ("my registrations (member)", "/events/my-registrations/", "member_session"),
        ("board dashboard (board)", "/board/", "board_session"),
    ]


class Client:
    """One member's HTTP connection with its cookies (keep-alive, like a browser)."""

    def __init__(self, base: str, session: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {"sessionid": session}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Host": f"{self.host}:{self.port}",
            **(headers or {}),
        }
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content

    def close(self):
        self.connection.close()


def _count(database_url: str, slug: str) -> dict:
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.status, COUNT(*) FROM events_registration r JOIN events_event e ON e.id = r.event_id "
                "WHERE e.slug = %s GROUP BY r.status",
                [slug],
            )
            return dict(cursor.fetchall())
    finally:
        connection.close()


def run_burst(base: str, prepared: dict) -> dict:
    """200 logged-in members register for one event with 50 seats at the same moment, through HTTP.

    Each member first opens the event page (session cookie → CSRF cookie and the form's token), then all
    POST the registration form together behind a barrier. Measures from the barrier's release to the
    last response; afterwards counts confirmed and waiting registrations in the benchmark database.
    """
    sessions = prepared["burst_sessions"]
    path = f"/events/{BURST_EVENT}/"
    clients = [Client(base, session) for session in sessions]
    tokens = []
    for client in clients:
        response, content = client.request("GET", path)
        found = CSRF_INPUT.search(content.decode())
        if response.status != 200 or found is None:
            raise SystemExit(f"burst: the event page gave {response.status} without a registration form")
        tokens.append(found.group(1))

    barrier = threading.Barrier(len(clients) + 1)
    results: list[tuple[int, float] | None] = [None] * len(clients)

    def register(index: int) -> None:
        client, token = clients[index], tokens[index]
        body = urlencode({"csrfmiddlewaretoken": token})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": base + path}
        barrier.wait()
        started = time.monotonic()
        try:
            response, _content = client.request("POST", f"{path}register/", body=body, headers=headers)
            status = response.status
        except OSError:
            status = 599  # connection reset or timed out: a server failure as far as the member is concerned
        results[index] = (status, time.monotonic() - started)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    for client in clients:
        client.close()

    statuses = [status for status, _elapsed in results]
    latencies = sorted(elapsed * 1000 for _status, elapsed in results)
    counted = _count(prepared["database_url"], BURST_EVENT)
    confirmed, waiting = counted.get("confirmed", 0), counted.get("waiting", 0)
    server_errors = sum(1 for s in statuses if s >= 500)
    unexpected = sum(1 for s in statuses if s != 302)  # a registration redirects back to the event
    requests = len(clients)
    return {
        "requests": requests,
        "capacity": BURST_CAPACITY,
        "seconds": seconds,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[math.ceil(0.99 * len(latencies)) - 1],  # nearest rank
        "server_errors": server_errors,
        "other_statuses": unexpected - server_errors,
        "confirmed": confirmed,
        "waiting": waiting,
        "ok": (
            confirmed == BURST_CAPACITY
            and waiting == requests - BURST_CAPACITY
            and unexpected == 0
            and seconds <= BURST_SECONDS
        ),
    }
