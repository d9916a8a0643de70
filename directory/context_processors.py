"""Template context for patient pages: the page in each language (switcher and hreflang alternates)."""

from .i18n import language_alternates


def languages(request):
    return {"language_alternates": lambda: language_alternates(request.path)}
