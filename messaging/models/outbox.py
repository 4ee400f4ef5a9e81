"""The outbox: one row per outgoing e-mail, written in the same transaction as the change behind it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """A rendered e-mail waiting to be sent, sent, failed for good, or withdrawn before sending.

    The Message-ID is fixed when the row is written, so a message re-sent after a crashed worker
    carries the same Message-ID as the first copy and mail clients can drop the duplicate.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Withdrawn")

    to_email = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    attachments = models.JSONField(
        _("attachments"), default=list, blank=True, help_text=_("Text attachments: filename, mimetype, content.")
    )
    template = models.CharField(_("template"), max_length=120, db_index=True)
    language = models.CharField(_("language"), max_length=8, default="de")
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(
        _("due"),
        default=timezone.now,
        help_text=_("When the message was last handed to the broker, or when its next attempt is due."),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "due_at"], name="outbox_status_due")]
        permissions = [("resend_outboundemail", _("Can send failed e-mails again"))]

    def __str__(self):
        return f"{self.subject} → {self.to_email}"

    @property
    def is_final(self) -> bool:
        return self.status != self.Status.QUEUED
