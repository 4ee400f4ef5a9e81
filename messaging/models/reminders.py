"""Event reminders: the day before an event, one per confirmed registration, never two."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventReminder(models.Model):
    """The reminder sent for one registration. The one-to-one key is what makes it once only."""

    registration = models.OneToOneField(
        "events.Registration",
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="reminder",
    )
    email = models.OneToOneField(
        "messaging.OutboundEmail",
        verbose_name=_("e-mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_reminder",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("event reminder")
        verbose_name_plural = _("event reminders")

    def __str__(self):
        return str(self.registration)
