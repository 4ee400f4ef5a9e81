"""Real Celery workers as separate processes (``celery -A portal worker``), for tests and benchmarks."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def database_url(db: dict) -> str:
    """A DATABASE_URL for a Django DATABASES entry (the test database once pytest-django created it)."""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db.get('USER') or 'postgres'}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class CeleryWorker:
    """One ``celery worker`` process group consuming ``queue``, with its log in a temporary file."""

    def __init__(self, *, queue: str, env: dict, concurrency: int = 2, name: str = "test"):
        self.queue = queue
        self.env = {**os.environ, **env, "CELERY_QUEUE": queue, "PYTHONUNBUFFERED": "1"}
        self.concurrency = concurrency
        self.name = name
        self.process: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix=f"celery-{name}-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self, timeout: float = 60) -> "CeleryWorker":
        command = [
            sys.executable, "-m", "celery", "-A", "portal", "worker",
            "-Q", self.queue, "-n", f"{self.name}-{os.getpid()}@%h",
            "--concurrency", str(self.concurrency), "--pool", "prefork",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while " ready." not in self.output():
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited with {self.process.returncode}:\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"Celery worker not ready after {timeout}s:\n{self.output()[-4000:]}")
            time.sleep(0.1)
        return self

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and its pool children die mid-task."""
        if self.alive:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        """Warm shutdown (SIGTERM: finish the current tasks); SIGKILL if that takes too long."""
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        if self.process is not None:
            # Pool children left behind by a main process that did not finish in time.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def broker_queue_delete(queue: str) -> None:
    """Remove a queue from the broker, with the messages a killed worker still held for it (Redis keeps
    those in its ``unacked`` hash until the visibility timeout and would hand them out again later)."""
    import json

    from portal.celery import app

    try:
        with app.connection_for_write() as connection:
            channel = connection.default_channel
            bound = app.amqp.queues[queue](channel)
            bound.declare()  # so that this channel knows the bindings it is to delete
            bound.delete()
            client = getattr(channel, "client", None)
            if client is None:
                return
            for tag, payload in client.hgetall(channel.unacked_key).items():
                _message, _exchange, routing_key = json.loads(payload)
                if routing_key == queue:
                    client.hdel(channel.unacked_key, tag)
                    client.zrem(channel.unacked_index_key, tag)
            # Remote-control bindings of this session's killed workers (a stopped worker removes its own).
            node_mark = f"-{os.getpid()}@".encode()
            for key in ("_kombu.binding.celery.pidbox", "_kombu.binding_permanent.celery.pidbox"):
                for member in client.smembers(key):
                    if node_mark in member:
                        client.srem(key, member)
    except Exception as error:  # the session's results matter more than tidying the broker
        print(f"Could not delete test queue {queue}: {error}", file=sys.stderr)


def broker_queue_purge(queue: str) -> int:
    """Drop messages waiting in ``queue`` (left by tests that queued work without a worker)."""
    from portal.celery import app

    with app.connection_for_write() as connection:
        return connection.default_channel.queue_purge(queue) or 0
