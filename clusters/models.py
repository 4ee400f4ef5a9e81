"""The associations, their boards and staff, shared topics, and the cooperation agreement."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .fields import WebsiteField
from .validators import validate_document, validate_logo


class Translatable:
    """Models with optional English twins of German text fields (``title`` / ``title_en``).

    German is the portal's first language and always filled; English falls back to German.
    """

    def tr(self, field: str) -> str:
        language = get_language() or settings.LANGUAGE_CODE
        if language.startswith("en"):
            english = getattr(self, f"{field}_en", "")
            if english:
                return english
        return getattr(self, field)


class Sector(models.TextChoices):
    AUTOMOTIVE = "automotive", _("Automotive")
    IT = "it", _("Information technology")
    LOGISTICS = "logistics", _("Logistics")
    OTHER = "other", _("Other")


class Cluster(Translatable, models.Model):
    """A registered association (e.V.) taking part in the cooperation."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=40, default="e.V.")
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    region = models.CharField(_("region"), max_length=120, blank=True)
    seat = models.CharField(_("seat"), max_length=120, blank=True)
    website = WebsiteField(_("website"), blank=True)
    description = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    programme_note = models.CharField(
        _("programme membership"),
        max_length=200,
        blank=True,
        help_text=_("For example membership in the federal go-cluster programme."),
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True, validators=[validate_logo])
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        related_name="staff_clusters",
        blank=True,
        help_text=_("Staff users who manage this association's members, events and projects."),
    )

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("association")
        verbose_name_plural = _("associations")

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        return reverse("clusters:detail", kwargs={"slug": self.slug})


class BoardPosition(models.Model):
    """A person's seat on an association's board."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair of the board")
        DEPUTY_CHAIR = "deputy_chair", _("Deputy chair of the board")
        MEMBER = "member", _("Board member")

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("association"), on_delete=models.CASCADE, related_name="board_positions"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="board_positions"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["cluster", "role", "person__last_name"]
        verbose_name = _("board position")
        verbose_name_plural = _("board positions")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "person", "role"],
                condition=Q(until__isnull=True),
                name="board_position_unique_current",
            ),
            models.UniqueConstraint(
                fields=["cluster", "role"],
                condition=Q(until__isnull=True, role="chair"),
                name="board_position_one_current_chair",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(since__isnull=True) | Q(until__gte=models.F("since")),
                name="board_position_until_after_since",
            ),
        ]

    def __str__(self):
        return f"{self.person} – {self.get_role_display()} ({self.cluster})"


class Topic(Translatable, models.Model):
    """A competence or focus topic: what organisations offer and seek, what projects work on."""

    name = models.CharField(_("name (German)"), max_length=120, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.tr("name")


class CooperationAgreement(Translatable, models.Model):
    """A cooperation agreement between associations; activities point to its goals."""

    title = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    signed_on = models.DateField(_("signed on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    summary = models.TextField(_("summary (German)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    parties = models.ManyToManyField(Cluster, verbose_name=_("parties"), related_name="agreements")
    document = models.FileField(_("document"), upload_to="agreements/", blank=True, validators=[validate_document])

    class Meta:
        ordering = ["-signed_on"]
        get_latest_by = "signed_on"
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")

    def __str__(self):
        return self.tr("title")

    def get_absolute_url(self):
        return reverse("clusters:agreement", kwargs={"slug": self.slug})


class Signatory(models.Model):
    """A person who signed an agreement for one association."""

    agreement = models.ForeignKey(
        CooperationAgreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="signatories"
    )
    cluster = models.ForeignKey(Cluster, verbose_name=_("association"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "members.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="signatures"
    )
    role = models.CharField(_("signed as"), max_length=20, choices=BoardPosition.Role.choices)

    class Meta:
        ordering = ["agreement", "cluster__short_name"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "cluster"], name="signatory_one_per_cluster"),
        ]

    def __str__(self):
        return f"{self.person} ({self.cluster})"


class Goal(Translatable, models.Model):
    """One goal of a cooperation agreement. Events and projects point to the goals they serve."""

    agreement = models.ForeignKey(
        CooperationAgreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="goals"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="goal_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="goal_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.tr('title')}"


class SitePage(Translatable, models.Model):
    """A page whose content staff edit in the admin: imprint, privacy notice, accessibility statement."""

    class Key(models.TextChoices):
        IMPRINT = "imprint", _("Imprint")
        PRIVACY = "privacy", _("Privacy notice")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")

    key = models.CharField(_("page"), max_length=20, choices=Key.choices, unique=True)
    title = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body = models.TextField(_("text (German)"), help_text=_("Markdown: paragraphs, **bold**, lists, links."))
    body_en = models.TextField(_("text (English)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.get_key_display()

    def get_absolute_url(self):
        return reverse("clusters:page", kwargs={"key": self.key})
