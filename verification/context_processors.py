"""Template context shared by public pages."""

from django.utils.functional import SimpleLazyObject

from .selectors import cities_with_lists


def listed_cities(request):
    # Lazy: the query runs only on pages that show the list.
    return {"cities_with_lists": SimpleLazyObject(lambda: list(cities_with_lists()))}
