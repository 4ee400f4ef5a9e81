"""Events of the associations (joint when two or more organise) and registrations for them."""

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.fields import WebsiteField
from clusters.models import Translatable


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now())

    def with_organiser_count(self):
        """Annotate ``organiser_count`` with a correlated subquery (no join fan-out)."""
        if "organiser_count" in self.query.annotations:
            return self
        counted = (
            Event.organisers.through.objects.filter(event_id=OuterRef("pk"))
            .order_by()
            .values("event_id")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(organiser_count=Coalesce(Subquery(counted), 0))

    def joint(self):
        """Events organised by two or more associations."""
        return self.with_organiser_count().filter(organiser_count__gte=2)


class Event(Translatable, models.Model):
    """An event organised by one or more associations."""

    class Format(models.TextChoices):
        NETWORKING = "networking", _("Networking evening")
        WORKSHOP = "workshop", _("Workshop")
        CONFERENCE = "conference", _("Conference")
        TRADE_FAIR = "trade_fair", _("Trade-fair appearance")
        TRAINING = "training", _("Training")
        WEBINAR = "webinar", _("Webinar")

    class Audience(models.TextChoices):
        ORGANISER_MEMBERS = "organiser_members", _("Members of the organising associations")
        ALL_MEMBERS = "all_members", _("Members of all three associations")
        PUBLIC = "public", _("Public")

    title = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    organisers = models.ManyToManyField(
        "clusters.Cluster", verbose_name=_("organising associations"), related_name="events"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    online_url = WebsiteField(_("online link"), blank=True)
    description = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Number of seats."))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ORGANISER_MEMBERS
    )
    goals = models.ManyToManyField(
        "clusters.Goal", verbose_name=_("agreement goals served"), related_name="events", blank=True
    )
    topics = models.ManyToManyField("clusters.Topic", verbose_name=_("topics"), related_name="events", blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=0), name="event_capacity_not_negative"),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__isnull=True) | Q(registration_closes_at__lte=F("ends_at")),
                name="event_registration_closes_before_end",
            ),
            models.CheckConstraint(condition=~Q(city="") | ~Q(online_url=""), name="event_has_place_or_link"),
        ]
        indexes = [
            models.Index(fields=["is_published", "starts_at"]),
            models.Index(fields=["ends_at"]),
            models.Index(fields=["city"]),
        ]

    def __str__(self):
        return self.tr("title")

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.city

    def registration_state(self, now=None) -> str:
        """``open``, ``not_yet`` or ``closed`` for this event's registration window."""
        now = now or timezone.now()
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet"
        closes = self.registration_closes_at or self.starts_at
        if now >= closes:
            return "closed"
        return "open"

    def is_open_for_registration(self, now=None) -> bool:
        return self.registration_state(now) == "open"


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)

    def holding_seat(self):
        return self.filter(status__in=Registration.SEAT_STATUSES)


class Registration(models.Model):
    """A person's registration for an event, on behalf of their organisation."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")

    SEAT_STATUSES = (Status.CONFIRMED, Status.ATTENDED)

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        "members.Person",
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        related_name="registrations",
        null=True,
        blank=True,
        help_text=_("Empty once the person's data was deleted; the row stays for the statistics."),
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("on behalf of"),
        on_delete=models.SET_NULL,
        related_name="registrations",
        null=True,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="attended") | Q(checked_in_at__isnull=False),
                name="registration_attended_has_check_in",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self):
        return f"{self.person or _('(deleted person)')} – {self.event}"

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_STATUSES
