"""Invitations: staff invite an audience to an event; each person gets one personal e-mail."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from members.models import Organisation


class InvitationRound(models.Model):
    """One sending of invitations to an event: the audience staff picked, and when it went out.

    Within a dimension the choices add up (ACOD *or* NLMD); across dimensions they narrow down
    (members of ACOD *that are* research institutions *and* offer or seek one of the topics).
    Explicitly chosen people are always included.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitation_rounds"
    )
    clusters = models.ManyToManyField(
        "clusters.Cluster",
        verbose_name=_("members of the associations"),
        related_name="+",
        blank=True,
        help_text=_("People of organisations that are active members of any of these associations."),
    )
    organisation_kinds = models.JSONField(
        _("organisation types"),
        default=list,
        blank=True,
        help_text=_("Only organisations of these types (none chosen: all types)."),
    )
    topics = models.ManyToManyField(
        "clusters.Topic",
        verbose_name=_("topics or competences"),
        related_name="+",
        blank=True,
        help_text=_("Only organisations that offer or seek one of these (none chosen: any)."),
    )
    people = models.ManyToManyField(
        "members.Person",
        verbose_name=_("explicit people"),
        related_name="+",
        blank=True,
        help_text=_("Invited in any case (unless they opted out of invitations)."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation round")
        verbose_name_plural = _("invitation rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(sent_at__isnull=False), name="invitation_round_sent_at"
            )
        ]

    def __str__(self):
        return f"{self.event} ({self.created_at:%Y-%m-%d})"

    @property
    def kind_labels(self) -> list[str]:
        labels = dict(Organisation.Kind.choices)
        return [str(labels.get(kind, kind)) for kind in self.organisation_kinds]


class Invitation(models.Model):
    """One person invited to one event, at most once (whatever the number of rounds)."""

    class Status(models.TextChoices):
        OPEN = "open", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        "members.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        help_text=_("Empty once the person's data was deleted; the row stays for the statistics."),
    )
    round = models.ForeignKey(
        InvitationRound, verbose_name=_("round"), on_delete=models.RESTRICT, related_name="invitations"
    )
    status = models.CharField(_("answer"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    registration = models.ForeignKey(
        "events.Registration",
        verbose_name=_("registration"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    email = models.OneToOneField(
        "messaging.OutboundEmail",
        verbose_name=_("e-mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    reminder_email = models.OneToOneField(
        "messaging.OutboundEmail",
        verbose_name=_("reminder e-mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation_reminder",
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)

    class Meta:
        ordering = ["event", "created_at", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="invitation_one_per_person"),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(answered_at__isnull=False),
                name="invitation_answered_has_time",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self):
        return f"{self.person or _('(deleted person)')} – {self.event}"


class EventInvitations(Event):
    """Events seen from the invitations side: per event, invited / sent / accepted / declined."""

    class Meta:
        proxy = True
        verbose_name = _("invitations per event")
        verbose_name_plural = _("invitations per event")
