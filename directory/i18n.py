"""The same patient page in each language, for the switcher and hreflang alternates."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation


@dataclass(frozen=True)
class Alternate:
    code: str
    name: str
    path: str
    switch_url: str  # through the switcher, which remembers the choice

    @property
    def absolute_url(self) -> str:
        return settings.SITE_URL + self.path

    @property
    def is_current(self) -> bool:
        return self.code == translation.get_language()


def language_alternates(path: str) -> list[Alternate]:
    alternates = []
    for code, name in settings.LANGUAGES:
        target = translate_url(path, code)
        switch = reverse("language_choose", args=[code]) + "?" + urlencode({"next": target})
        alternates.append(Alternate(code, name, target, switch))
    return alternates
