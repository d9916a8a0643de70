"""The same patient page in each language, for the switcher and hreflang alternates."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext_noop


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


# Labels stored or declared in English elsewhere (model choices) and shown on patient pages: marked here so
# `makemessages` collects them (each check marks its own title); templates translate them with {% translate value %}.
DATA_LABELS = (
    # outcomes (verification.checks.types.Outcome)
    gettext_noop("Passed"),
    gettext_noop("Failed"),
    gettext_noop("Unknown"),
    gettext_noop("Needs review"),
    gettext_noop("Not applicable"),
    # how a fact was established (directory.models.EvidenceMethod)
    gettext_noop("Primary source"),
    gettext_noop("Secondary source"),
    gettext_noop("Document on file"),
    gettext_noop("Format check only"),
    # specialties (directory.models.Specialty)
    gettext_noop("Orthopaedic surgery of the spine"),
    gettext_noop("Orthopaedic surgery"),
    gettext_noop("Neurological surgery"),
    # credential status (directory.models.CredentialStatus)
    gettext_noop("Active"),
    gettext_noop("Expired"),
    gettext_noop("Inactive"),
    gettext_noop("Probation"),
    gettext_noop("Suspended"),
    gettext_noop("Revoked"),
    gettext_noop("Surrendered"),
    gettext_noop("Not yet verified"),
    # why a list was published (verification.models.RankingSnapshot.Reason)
    gettext_noop("Annual verification"),
    gettext_noop("Delisting between annual runs"),
    gettext_noop("Manual publication"),
)
