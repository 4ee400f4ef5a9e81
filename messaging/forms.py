"""Forms of the public newsletter pages and of the messaging admin."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.models import Cluster, Topic
from members.models import Organisation

from .consent import consent_text
from .models import InvitationRound, Newsletter


class PreferencesForm(forms.Form):
    clusters = forms.ModelMultipleChoiceField(
        label=_("News from"),
        queryset=Cluster.objects.order_by("short_name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one association.")},
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None chosen: all topics."),
    )


class NewsletterSignupForm(PreferencesForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    consent = forms.BooleanField(
        label=_("I agree"),
        error_messages={"required": _("Please agree to the consent text to subscribe.")},
    )

    field_order = ["email", "clusters", "topics", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = consent_text()
        if not self.is_bound:
            self.fields["clusters"].initial = list(Cluster.objects.values_list("pk", flat=True))


class InvitationRoundForm(forms.ModelForm):
    organisation_kinds = forms.MultipleChoiceField(
        label=_("Organisation types"),
        choices=Organisation.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only organisations of these types (none chosen: all types)."),
    )

    class Meta:
        model = InvitationRound
        fields = ["event", "clusters", "organisation_kinds", "topics", "people"]

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("clusters", "organisation_kinds", "topics", "people")):
            raise forms.ValidationError(
                _("Choose an audience: associations, organisation types, topics or people."), code="no_audience"
            )
        return data


class NewsletterForm(forms.ModelForm):
    class Meta:
        model = Newsletter
        fields = ["subject", "body", "clusters", "topics", "scheduled_for"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField"})}

    def __init__(self, *args, allowed_clusters=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed_clusters is not None and "clusters" in self.fields:
            self.fields["clusters"].queryset = allowed_clusters

    def clean_scheduled_for(self):
        when = self.cleaned_data.get("scheduled_for")
        if when and when <= timezone.now() and self.has_changed() and "scheduled_for" in self.changed_data:
            raise forms.ValidationError(_("Choose a time in the future."), code="past")
        return when
