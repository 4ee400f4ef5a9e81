"""Forms of the project admin."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Milestone


class MilestoneForm(forms.ModelForm):
    """Ticking "done" dates the milestone today unless a date is given; unticking clears the date."""

    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done", "done_on"]

    def clean(self):
        data = super().clean()
        if data.get("done") and not data.get("done_on"):
            data["done_on"] = timezone.localdate()
        if not data.get("done") and data.get("done_on"):
            self.add_error(
                "done", forms.ValidationError(_("Tick “done” or remove the date."), code="done_on_without_done")
            )
        return data
