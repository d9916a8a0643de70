"""Filters of the list endpoints; an invalid value is a 400 with the field named."""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef
from rest_framework.exceptions import ValidationError

from directory.models import City, Specialty, Surgeon
from verification.models import RankingEntry, RankingSnapshot

STATE = r"^[A-Za-z]{2}$"
STATE_OR_EMPTY = r"^([A-Za-z]{2})?$"  # an empty filter value is no filter


class ChoicesNeverEmpty:
    """A choice filter left out is no filter; sent empty (`listed=`) it is a 400 naming it, never "everything"."""

    def is_valid(self):
        valid = super().is_valid()
        for name, choice_filter in self.filters.items():
            if isinstance(choice_filter, django_filters.ChoiceFilter) and self.data.get(name) == "":
                choices = ", ".join(str(value) for value, _ in choice_filter.field.choices if value != "")
                self.form.add_error(name, f"An empty value is not a choice: send one of {choices}, or leave it out.")
                valid = False
        return valid


class CityFilter(ChoicesNeverEmpty, django_filters.FilterSet):
    state = django_filters.CharFilter(
        method="filter_state",
        help_text="Two-letter state code, e.g. TX",
        validators=[RegexValidator(STATE, "Use a two-letter state code, e.g. TX.")],
    )

    class Meta:
        model = City
        fields = ["state"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(state=value.upper())


class SurgeonFilter(CityFilter):
    city = django_filters.CharFilter(
        method="filter_city", help_text="City slug, e.g. houston-tx (an unknown slug, such as a city name, is a 400)"
    )
    specialty = django_filters.ChoiceFilter(choices=Specialty.choices, help_text="NUCC taxonomy code")
    listed = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_listed", help_text="On a published list"
    )

    class Meta:
        model = Surgeon
        fields = ["city", "state", "specialty", "listed"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(Exists(City.objects.filter(locations__surgeon=OuterRef("pk"), state=value.upper())))

    def filter_city(self, queryset, name, value):
        if not City.objects.filter(slug=value).exists():  # a name such as "Houston" would silently match nothing
            raise ValidationError(
                {"city": [f"No city {value!r}: use a city slug such as houston-tx (see /api/v1/cities/)."]}
            )
        return queryset.filter(Exists(City.objects.filter(locations__surgeon=OuterRef("pk"), slug=value)))

    def filter_listed(self, queryset, name, value):
        listed = Exists(
            RankingEntry.objects.filter(surgeon=OuterRef("pk"), snapshot__status=RankingSnapshot.Status.PUBLISHED)
        )
        return queryset.filter(listed if value == "true" else ~listed)
