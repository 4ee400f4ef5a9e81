"""Models of messaging: the outbox, invitations, newsletters, event reminders."""

from .invitations import EventInvitations, Invitation, InvitationRound
from .newsletters import ConsentRecord, Delivery, Newsletter, Subscriber
from .outbox import OutboundEmail
from .reminders import EventReminder

__all__ = [
    "ConsentRecord",
    "Delivery",
    "EventInvitations",
    "EventReminder",
    "Invitation",
    "InvitationRound",
    "Newsletter",
    "OutboundEmail",
    "Subscriber",
]
