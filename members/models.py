"""Users, member organisations, their memberships in the associations, and their people."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.fields import WebsiteField
from clusters.models import Sector


class UserManager(DjangoUserManager):
    """Users log in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A login. Linked to a ``Person`` once it belongs to a member organisation."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self):
        return self.get_full_name() or self.email


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Organisation(models.Model):
    """A member company, research institution or other organisation."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        RESEARCH = "research", _("Research institution")
        OTHER = "other", _("Other organisation")

    class Size(models.TextChoices):
        MICRO = "micro", _("1–9 employees")
        SMALL = "small", _("10–49 employees")
        MEDIUM = "medium", _("50–249 employees")
        LARGE = "large", _("250 employees or more")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    size = models.CharField(_("size"), max_length=20, choices=Size.choices, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = WebsiteField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    offers = models.ManyToManyField(
        "clusters.Topic", verbose_name=_("competences offered"), related_name="offered_by", blank=True
    )
    seeks = models.ManyToManyField(
        "clusters.Topic", verbose_name=_("competences sought"), related_name="sought_by", blank=True
    )
    clusters = models.ManyToManyField(
        "clusters.Cluster", verbose_name=_("associations"), through="Membership", related_name="organisations"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["city"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:organisation", kwargs={"slug": self.slug})


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)


class Membership(models.Model):
    """An organisation's membership in one association (one organisation can be in all three)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    cluster = models.ForeignKey(
        "clusters.Cluster", verbose_name=_("association"), on_delete=models.PROTECT, related_name="memberships"
    )
    since = models.DateField(_("member since"), default=timezone.localdate)
    until = models.DateField(_("member until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "cluster__short_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cluster"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="membership_until_after_since",
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(until__isnull=False),
                name="membership_ended_has_until",
            ),
        ]
        indexes = [models.Index(fields=["cluster", "status"])]

    def __str__(self):
        return f"{self.organisation} @ {self.cluster}"


class Person(models.Model):
    """A contact person, usually of a member organisation; optionally with a login."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    function = models.CharField(_("function"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        related_name="person",
        null=True,
        blank=True,
    )
    is_primary_contact = models.BooleanField(
        _("primary contact"),
        default=False,
        help_text=_("The organisation's primary contact may manage its people and their registrations."),
    )
    receives_invitations = models.BooleanField(
        _("receives invitations"), default=True, help_text=_("Unticked: the person opted out of invitations.")
    )
    calendar_token = models.CharField(
        _("calendar token"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(is_primary_contact=True),
                name="person_one_primary_contact",
            ),
            models.CheckConstraint(
                condition=Q(is_primary_contact=False) | Q(organisation__isnull=False),
                name="person_primary_contact_has_organisation",
            ),
        ]
        indexes = [models.Index(Lower("email"), name="person_email_ci")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class JoinRequest(models.Model):
    """A user's request to be linked to a member organisation, decided by its primary contact or staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("login"), on_delete=models.CASCADE, related_name="join_requests"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="join_requests"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    function = models.CharField(_("function"), max_length=150, blank=True)
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.TextField(_("reason"), blank=True, max_length=1000, help_text=_("Told to the user on rejection."))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="join_request_one_pending_per_user"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False), name="join_request_decided_has_time"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"{self.user} → {self.organisation}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# A colleague invitation link works this long.
INVITATION_VALID_FOR = dt.timedelta(days=14)


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class ColleagueInvitation(models.Model):
    """A primary contact's invitation to a colleague to link a login to the person record made for them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="colleague_invitations"
    )
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("colleague invitation")
        verbose_name_plural = _("colleague invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="colleague_invitation_one_pending_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.person})"

    @property
    def expires_at(self):
        return self.created_at + INVITATION_VALID_FOR

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class ContactRequest(models.Model):
    """A member's request to get in touch with another member organisation, found by the partner search.

    The recipient's primary contact is asked by e-mail; addresses are exchanged only once they accept.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    sender = models.ForeignKey(
        Person, verbose_name=_("sender"), on_delete=models.CASCADE, related_name="contact_requests_sent"
    )
    sender_organisation = models.ForeignKey(
        Organisation, verbose_name=_("from organisation"), on_delete=models.CASCADE, related_name="+"
    )
    recipient_organisation = models.ForeignKey(
        Organisation, verbose_name=_("to organisation"), on_delete=models.CASCADE, related_name="contact_requests"
    )
    recipient = models.ForeignKey(
        Person, verbose_name=_("asked person"), on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_invitation_token, editable=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        constraints = [
            models.UniqueConstraint(
                fields=["sender_organisation", "recipient_organisation"],
                condition=Q(status="pending"),
                name="contact_request_one_pending_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(sender_organisation=models.F("recipient_organisation")),
                name="contact_request_not_to_itself",
            ),
        ]

    def __str__(self):
        return f"{self.sender_organisation} → {self.recipient_organisation}"
