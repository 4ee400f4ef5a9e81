"""Newsletters: subscribers with proof of consent, issues written by staff, one delivery per recipient."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Subscriber(models.Model):
    """An e-mail address on the newsletter list, with its preferences.

    A visitor or a member signs up; the subscription is active only once the link in the
    confirmation e-mail was followed (double opt-in). Every step is recorded in ``ConsentRecord``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(_("e-mail address"))
    person = models.ForeignKey(
        "members.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsletter_subscriptions",
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="de")
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.PENDING)
    clusters = models.ManyToManyField(
        "clusters.Cluster", verbose_name=_("news from"), related_name="newsletter_subscribers", blank=True
    )
    topics = models.ManyToManyField(
        "clusters.Topic",
        verbose_name=_("topics"),
        related_name="newsletter_subscribers",
        blank=True,
        help_text=_("None chosen: all topics."),
    )
    created_at = models.DateTimeField(_("signed up"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique_ci"),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(confirmed_at__isnull=False),
                name="subscriber_active_is_confirmed",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.email


class ConsentRecord(models.Model):
    """Proof of consent: what happened, when, from which address, under which consent text. Append-only."""

    class Action(models.TextChoices):
        REQUESTED = "requested", _("Sign-up requested")
        CONFIRMED = "confirmed", _("Confirmed (double opt-in)")
        PREFERENCES = "preferences", _("Preferences changed")
        WITHDRAWN = "withdrawn", _("Unsubscribed")

    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="consents"
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    list_name = models.CharField(_("list"), max_length=60, default="newsletter")
    consent_text_version = models.CharField(_("consent text version"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    scope = models.JSONField(_("associations and topics"), default=dict, blank=True)
    via = models.CharField(
        _("via"), max_length=40, blank=True, help_text=_("For example web form, link, List-Unsubscribe.")
    )

    class Meta:
        ordering = ["subscriber", "at", "id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self):
        return f"{self.subscriber} – {self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"


class Newsletter(models.Model):
    """One issue of the newsletter: written in Markdown, sent once to the matching subscribers."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("text (Markdown)"), help_text=_("Markdown: **bold**, *italic*, [link](https://…), lists.")
    )
    clusters = models.ManyToManyField(
        "clusters.Cluster",
        verbose_name=_("for subscribers of"),
        related_name="newsletters",
        help_text=_("Subscribers who want news from any of these associations."),
    )
    topics = models.ManyToManyField(
        "clusters.Topic",
        verbose_name=_("topics"),
        related_name="newsletters",
        blank=True,
        help_text=_(
            "None: for everybody above. Otherwise only subscribers interested in one of these topics "
            "(or in all topics)."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    planned_at = models.DateTimeField(
        _("all deliveries created"), null=True, blank=True, help_text=_("Every recipient's e-mail is in the outbox.")
    )
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True, editable=False)
    recipient_count = models.PositiveIntegerField(_("recipients"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_for__isnull=False),
                name="newsletter_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "scheduled"]) | models.Q(started_at__isnull=False),
                name="newsletter_started_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"])]

    def __str__(self):
        return self.subject

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)


class Delivery(models.Model):
    """One newsletter to one subscriber: the unique row that keeps a retry from sending twice."""

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="deliveries"
    )
    email = models.OneToOneField(
        "messaging.OutboundEmail",
        verbose_name=_("e-mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delivery",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["newsletter", "id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "subscriber"], name="delivery_once_per_subscriber")
        ]

    def __str__(self):
        return f"{self.newsletter} → {self.subscriber}"
