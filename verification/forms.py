"""The public search form: every field optional, odd input cleaned rather than refused."""

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.geo import DEFAULT_RADIUS, RADIUS_CHOICES
from directory.models import Specialty

RADIUS_LABELS = (_("Within 10 miles"), _("Within 25 miles"), _("Within 50 miles"), _("Within 100 miles"))


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Name, city or ZIP"), strip=True)
    specialty = forms.ChoiceField(
        required=False, choices=[("", _("Any specialty")), *((code, _(label)) for code, label in Specialty.choices)]
    )
    accepting = forms.BooleanField(required=False, label=_("Accepting new patients"))
    radius = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=DEFAULT_RADIUS,
        choices=list(zip(RADIUS_CHOICES, RADIUS_LABELS, strict=True)),
        label=_("Distance from a ZIP code"),
    )

    @staticmethod
    def with_defaults(data):
        """The query with the default distance filled in, so the form shows what the search used."""
        data = data.copy()
        data.setdefault("radius", str(DEFAULT_RADIUS))
        return data

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].replace("%", " ").replace("_", " ").split())[:100]

    def clean_radius(self):
        return self.cleaned_data["radius"] or DEFAULT_RADIUS

    def has_criteria(self) -> bool:
        """Words or a filter: filters alone list every surgeon that fits them."""
        data = self.cleaned_data
        return bool(data["q"] or data["specialty"] or data["accepting"])
