"""The public search form: every field optional, odd input cleaned rather than refused."""

from django import forms

from directory.models import Specialty


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Name, city or ZIP", strip=True)
    specialty = forms.ChoiceField(required=False, choices=[("", "Any specialty"), *Specialty.choices])
    accepting = forms.BooleanField(required=False, label="Accepting new patients")

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].replace("%", " ").replace("_", " ").split())[:100]
