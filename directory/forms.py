"""The patient's consultation request form: server-side validation with plain messages."""

import re

from django import forms
from django.conf import settings

PHONE = re.compile(r"^[0-9+().\- ]{7,20}$")


class ConsultationForm(forms.Form):
    name = forms.CharField(max_length=120, label="Your name")
    phone = forms.CharField(max_length=30, required=False, label="Phone")
    email = forms.EmailField(required=False, label="E-mail")
    preferred_times = forms.CharField(
        max_length=200, required=False, label="When can the practice reach you?", help_text="e.g. weekday mornings"
    )
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
        label="What would you like to discuss?",
        help_text="Up to 1,000 characters. Please do not include your full medical history.",
    )
    consent = forms.BooleanField()
    # A honeypot: hidden from people by CSS, filled in by bots.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = (
            "I agree that the practice may contact me about this request, "
            f"and that this request is deleted after {settings.CONSULTATION_RETENTION_DAYS} days."
        )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError("Enter a phone number using digits, spaces, +, -, ( or ).")
        return phone

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email"):
            raise forms.ValidationError("Give a phone number or an e-mail address so the practice can reach you.")
        return cleaned

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def request_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("name", "phone", "email", "preferred_times", "reason")}
