"""Forms of the event pages: the list filters and registering a colleague."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Event


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EventFilterForm(forms.Form):
    """Filters of the event list. Choices come from ``events.selectors.event_filter_options`` (no queries here)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    association = forms.ChoiceField(label=_("Association"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("All formats")), *Event.Format.choices]
    )
    city = forms.ChoiceField(label=_("City"), required=False)
    goal = forms.TypedChoiceField(label=_("Agreement goal"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    joint = forms.BooleanField(label=_("Joint events only"), required=False)

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].choices = [("", _("All associations")), *options["clusters"]]
        self.fields["city"].choices = [("", _("All cities")), *((c, c) for c in options["cities"])]
        self.fields["goal"].choices = [("", _("All goals")), *options["goals"]]

    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        if day and not (dt.date(1990, 1, 1) <= day <= dt.date(2199, 12, 31)):
            raise ValidationError(_("Please choose a date between 1990 and 2199."), code="date_out_of_range")
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise ValidationError(_("The end of the date range lies before its start."), code="date_range")
        return cleaned

    def filters(self) -> dict:
        """The valid filters; an invalid field is left out (and shown with its error)."""
        self.is_valid()
        if self.non_field_errors():
            return {k: v for k, v in self.cleaned_data.items() if k not in ("date_from", "date_to")}
        return dict(self.cleaned_data)

    @property
    def is_filtered(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class RegisterForm(forms.Form):
    """Whom to register: yourself (no choice) or, for a primary contact, a colleague."""

    person = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Myself")), *((p.pk, p.full_name) for p in people)]
