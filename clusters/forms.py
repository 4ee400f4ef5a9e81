"""Forms of the cooperation pages."""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days in Europe/Berlin."""

    first_day: dt.date
    last_day: dt.date
    label: str

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first_day, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """Exclusive end: midnight after the last day."""
        return timezone.make_aware(dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time.min))


class AccessibleErrorsMixin:
    """Mark invalid fields for assistive technology and link each to its error message."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{self.auto_id % name if self.auto_id else name}-error"
            attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


class PeriodForm(AccessibleErrorsMixin, forms.Form):
    """The dashboard's period: a year, a quarter or a custom range of days."""

    KIND_CHOICES = [("year", _("Year")), ("quarter", _("Quarter")), ("custom", _("Custom range"))]
    QUARTER_CHOICES = [(1, _("Q1 (Jan–Mar)")), (2, _("Q2 (Apr–Jun)")), (3, _("Q3 (Jul–Sep)")), (4, _("Q4 (Oct–Dec)"))]

    kind = forms.ChoiceField(
        label=_("Period"), choices=KIND_CHOICES, initial="year", widget=forms.Select(attrs={"class": "form-select"})
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2019,
        max_value=2100,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[("", "–"), *QUARTER_CHOICES],
        coerce=int,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    MAX_DAYS = 366 * 10

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("year", "quarter") and not data.get("year"):
            self.add_error("year", forms.ValidationError(_("Please choose a year."), code="required"))
        if kind == "quarter" and not data.get("quarter"):
            self.add_error("quarter", forms.ValidationError(_("Please choose a quarter."), code="required"))
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", forms.ValidationError(_("Please enter the first day."), code="required"))
            if not end:
                self.add_error("end", forms.ValidationError(_("Please enter the last day."), code="required"))
            if start and end and end < start:
                self.add_error("end", forms.ValidationError(_("The last day lies before the first."), code="order"))
            elif start and end and (end - start).days > self.MAX_DAYS:
                self.add_error("end", forms.ValidationError(_("Please choose at most ten years."), code="too_long"))
        return data

    def period(self) -> Period:
        data = self.cleaned_data
        if data["kind"] == "year":
            year = data["year"]
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
        if data["kind"] == "quarter":
            year, quarter = data["year"], data["quarter"]
            first = dt.date(year, 3 * quarter - 2, 1)
            after = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
            return Period(first, after - dt.timedelta(days=1), f"Q{quarter} {year}")
        return Period(data["start"], data["end"], f"{data['start']:%d.%m.%Y} – {data['end']:%d.%m.%Y}")

    @classmethod
    def default_data(cls) -> dict:
        return {"kind": "year", "year": timezone.localdate().year}
