"""Business rules of messaging. Views, admin actions and tasks call these, nothing else writes.

The outbox API is re-exported here: ``from messaging.services import outbox_write``.
"""

from .outbox import (
    MAX_ATTEMPTS,
    TransientSendError,
    email_render,
    is_transient,
    outbox_build,
    outbox_cancel,
    outbox_dispatch,
    outbox_enqueue,
    outbox_requeue_stale,
    outbox_retry,
    outbox_save,
    outbox_send,
    outbox_send_many,
    outbox_write,
)

__all__ = [
    "MAX_ATTEMPTS",
    "TransientSendError",
    "email_render",
    "is_transient",
    "outbox_build",
    "outbox_cancel",
    "outbox_dispatch",
    "outbox_enqueue",
    "outbox_requeue_stale",
    "outbox_retry",
    "outbox_save",
    "outbox_send",
    "outbox_send_many",
    "outbox_write",
]
