"""Forms of the member pages: finding one's organisation, joining it, inviting colleagues."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import JoinRequest, User


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name of your organisation"),
        min_length=2,
        max_length=100,
        help_text=_("At least two letters of the name, e.g. “Logistik” or “Institut”."),
    )


class JoinRequestForm(forms.ModelForm):
    """Who the user is in the organisation (becomes their person record once approved)."""

    organisation = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = JoinRequest
        fields = ["first_name", "last_name", "function", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"message": _("Optional: a word to the person who decides, e.g. your department.")}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (told to the person)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ColleagueInviteForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail address"))
    function = forms.CharField(label=_("Function"), max_length=150, required=False)


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]
        labels = {"language": _("Language of your e-mails")}
        widgets = {"language": forms.Select(choices=settings.LANGUAGES)}
