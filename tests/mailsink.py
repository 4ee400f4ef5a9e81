"""A real SMTP server for tests and benchmarks (aiosmtpd): it speaks SMTP on a free port, keeps every
message it accepted, and can refuse chosen recipients with a 4xx or 5xx reply a number of times."""

import email
import email.policy
import logging
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Received:
    to: tuple[str, ...]
    message_id: str
    subject: str
    headers: dict
    message: email.message.EmailMessage

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return part.get_content()
        return ""


@dataclass
class Refusal:
    reply: str
    times: int


@dataclass
class SinkHandler:
    keep_messages: bool = True
    messages: list[Received] = field(default_factory=list)
    count: int = 0
    sessions: int = 0
    refusals: dict[str, Refusal] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            refusal = self.refusals.get(address.lower())
            if refusal and refusal.times > 0:
                refusal.times -= 1
                return refusal.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.keep_messages:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            received = Received(
                to=tuple(a.lower() for a in envelope.rcpt_tos),
                message_id=str(message["Message-ID"]).strip(),
                subject=str(message["Subject"]).strip(),
                headers={k: str(v).strip() for k, v in message.items()},
                message=message,
            )
        with self.lock:
            self.count += 1
            if self.keep_messages:
                self.messages.append(received)
        return "250 Message accepted for delivery"


class SmtpSink:
    """``with SmtpSink() as sink:`` – an SMTP server on 127.0.0.1:``sink.port``."""

    def __init__(self, *, keep_messages: bool = True):
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
        self.handler = SinkHandler(keep_messages=keep_messages)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def url(self) -> str:
        """The EMAIL_URL (django-environ) that points Django at this sink."""
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def count(self) -> int:
        return self.handler.count

    @property
    def sessions(self) -> int:
        return self.handler.sessions

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()
            self.handler.refusals.clear()
            self.handler.count = 0
            self.handler.sessions = 0

    def refuse(self, address: str, reply: str, times: int = 1) -> None:
        """Answer RCPT TO ``address`` with ``reply`` (e.g. ``451 4.3.0 try later``) the next ``times`` times."""
        with self.handler.lock:
            self.handler.refusals[address.lower()] = Refusal(reply, times)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address.lower() in m.to]

    def wait_for(self, count: int, timeout: float = 30, settle: float = 0.0) -> list[Received]:
        """Wait until at least ``count`` messages arrived; then ``settle`` seconds more for stragglers."""
        deadline = time.monotonic() + timeout
        while self.count < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"SMTP sink: {self.count} of {count} messages after {timeout}s")
            time.sleep(0.05)
        if settle:
            time.sleep(settle)
        return self.messages

    def message_ids_per_recipient(self) -> dict[str, Counter]:
        seen: dict[str, Counter] = {}
        for message in self.messages:
            for address in message.to:
                seen.setdefault(address, Counter())[message.message_id] += 1
        return seen
