"""Forms of the member pages: finding one's organisation, joining it, inviting colleagues."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clusters.models import Sector
from clusters.vocabulary import choices

from .models import JoinRequest, Organisation, User


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


class DirectoryFilterForm(forms.Form):
    """Search and filters of the members' directory; every field optional, bad values are form errors."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    cluster = forms.ChoiceField(label=_("Association"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", _("All"))], required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All")), *Organisation.Kind.choices], required=False)
    size = forms.ChoiceField(label=_("Size"), choices=[("", _("All")), *Organisation.Size.choices], required=False)
    city = forms.CharField(label=_("City"), required=False, max_length=120)
    topic = forms.ChoiceField(label=_("Competence"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("All")), *Sector.choices]
        self.fields["cluster"].choices = [("", _("All")), *choices("clusters")]
        self.fields["topic"].choices = [("", _("All")), *choices("topics")]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ContactRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"),
        min_length=20,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Say who you are and what you would like to talk about. Your e-mail address is passed on only "
            "if they accept."
        ),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my login and my personal data are deleted and cannot be restored."),
    )
