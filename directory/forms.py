"""The patient's consultation request form: server-side validation with plain messages."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

PHONE = re.compile(r"^[0-9+().\- ]{7,20}$")


class PracticeChoice(forms.ModelChoiceField):
    def label_from_instance(self, location):
        return f"{location.one_line}, {location.city.name}, {location.city.state} {location.postal_code}"


class ConsultationForm(forms.Form):
    practice = PracticeChoice(
        queryset=None, label=_("Which practice should contact you?"), widget=forms.RadioSelect, empty_label=None
    )
    name = forms.CharField(max_length=120, label=_("Your name"), widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        max_length=30,
        required=False,
        label=_("Phone"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        required=False, label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    preferred_times = forms.CharField(
        max_length=200,
        required=False,
        label=_("When can the practice reach you?"),
        help_text=_("For example: weekday mornings"),
    )
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
        label=_("What would you like to discuss?"),
        help_text=_("Up to 1,000 characters. Please do not include your full medical history."),
    )
    consent = forms.BooleanField()
    # A honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, surgeon, **kwargs):
        super().__init__(*args, **kwargs)
        locations = surgeon.locations.all()
        self.fields["practice"].queryset = locations
        if len(locations) < 2:  # nothing to choose: the one practice (or none on file) gets the request
            self.fields["practice"].widget = forms.HiddenInput()
            self.fields["practice"].required = False
        self.fields["consent"].label = _(
            "I agree that the practice may contact me about this request, "
            "and that this request is deleted after %(days)s days."
        ) % {"days": settings.CONSULTATION_RETENTION_DAYS}

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Enter a phone number using digits, spaces, +, -, ( or )."))
        return phone

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and "phone" not in self.errors:
            self.add_error("phone", _("Give a phone number or an e-mail address so the practice can reach you."))
        return cleaned

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def request_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "phone", "email", "preferred_times", "reason")}
