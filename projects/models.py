"""Joint development projects and working groups of the associations."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import Translatable
from clusters.validators import validate_document


class Project(Translatable, models.Model):
    """A joint project: led by one association, joined by others and by member organisations."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    title = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.TextField(_("summary (German)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    focus_topic = models.ForeignKey(
        "clusters.Topic",
        verbose_name=_("focus topic"),
        on_delete=models.SET_NULL,
        related_name="projects",
        null=True,
        blank=True,
    )
    lead_cluster = models.ForeignKey(
        "clusters.Cluster", verbose_name=_("lead association"), on_delete=models.PROTECT, related_name="led_projects"
    )
    clusters = models.ManyToManyField(
        "clusters.Cluster",
        verbose_name=_("participating associations"),
        related_name="projects",
        blank=True,
        help_text=_("The associations taking part besides the lead."),
    )
    organisations = models.ManyToManyField(
        "members.Organisation",
        verbose_name=_("participating organisations"),
        through="ProjectParticipant",
        related_name="projects",
        blank=True,
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IDEA)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    goals = models.ManyToManyField(
        "clusters.Goal", verbose_name=_("agreement goals served"), related_name="projects", blank=True
    )
    funding_note = models.CharField(_("funding"), max_length=300, blank=True)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Public projects are shown to visitors; all others to members only.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.tr("title")

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})


class ProjectParticipant(models.Model):
    """A member organisation's part in a project."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        PARTNER = "partner", _("Partner")
        ASSOCIATED = "associated", _("Associated partner")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="participants"
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="project_participations",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        ordering = ["project", "organisation__name"]
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        constraints = [models.UniqueConstraint(fields=["project", "organisation"], name="participant_unique")]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class Milestone(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["project", "due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(done=True) | Q(done_on__isnull=True), name="milestone_done_on_only_done"
            ),
        ]

    def __str__(self):
        return self.title


class ProjectStatusChange(models.Model):
    """The dated history of a project's status."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=12, choices=Project.Status.choices)
    changed_on = models.DateField(_("changed on"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["project", "-changed_on", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self):
        return f"{self.get_status_display()} ({self.changed_on})"


class ProjectDocument(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="projects/", validators=[validate_document])
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["project", "-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title
