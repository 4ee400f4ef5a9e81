"""The messaging admin: outbox, invitations, newsletters and subscribers, event reminders."""

from . import invitations, newsletters, outbox

__all__ = ["invitations", "newsletters", "outbox"]
