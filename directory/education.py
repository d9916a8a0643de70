"""The FBSS education pages: reviewed medical content kept in version control (see README)."""

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Reference:
    title: str
    publisher: str
    url: str


# Article bodies per language: a whole reviewed text per language (directory/education/<lang>/...), not
# sentence-by-sentence catalog entries, so a reviewer reads the Spanish page as a patient will.
TRANSLATED_ARTICLES = ("es",)


@dataclass(frozen=True)
class EducationPage:
    slug: str
    title: str | Promise
    summary: str | Promise
    last_reviewed: date  # the same in every language: a translation is reviewed with its source
    template: str  # the article body only, without the site layout

    @property
    def url_name(self):
        return "directory:education"

    @property
    def article_template(self) -> str:
        """The article body in the active language, without the site layout (the partner API renders it alone)."""
        language = get_language() or "en"
        if language in TRANSLATED_ARTICLES:
            folder, name = self.template.rsplit("/", 1)
            return f"{folder}/{language}/{name}"
        return self.template


REFERENCES = (
    Reference(
        "Failed back surgery syndrome: review article",
        "Asian Spine Journal (open access)",
        "https://www.asianspinejournal.org/",
    ),
    Reference(
        "Failed Back Surgery Syndrome",
        "StatPearls, National Library of Medicine",
        "https://www.ncbi.nlm.nih.gov/books/NBK539777/",
    ),
    Reference(
        "Spinal cord stimulation",
        "American Association of Neurological Surgeons",
        "https://www.aans.org/",
    ),
)

PAGES = (
    EducationPage(
        slug="what-is-fbss",
        title=_("What is Failed Back Surgery Syndrome?"),
        summary=_("Why back or neck pain can continue or return after spine surgery, and what the name means."),
        last_reviewed=date(2026, 11, 1),
        template="directory/education/what_is_fbss.html",
    ),
    EducationPage(
        slug="causes",
        title=_("Causes of Failed Back Surgery Syndrome"),
        summary=_("The common reasons surgery does not relieve pain: diagnosis, technique, healing and scar tissue."),
        last_reviewed=date(2026, 11, 1),
        template="directory/education/causes.html",
    ),
    EducationPage(
        slug="symptoms",
        title=_("Symptoms and warning signs"),
        summary=_("How to tell normal healing from signs that something needs a doctor's attention."),
        last_reviewed=date(2026, 11, 1),
        template="directory/education/symptoms.html",
    ),
    EducationPage(
        slug="diagnosis-and-treatment",
        title=_("Diagnosis and treatment"),
        summary=_("How doctors find the cause of ongoing pain, and the treatments they usually try, in order."),
        last_reviewed=date(2026, 11, 1),
        template="directory/education/diagnosis_treatment.html",
    ),
)

PAGES_BY_SLUG = {page.slug: page for page in PAGES}


def education_page_get(slug: str) -> EducationPage | None:
    return PAGES_BY_SLUG.get(slug)


def education_neighbours(page: EducationPage) -> tuple[EducationPage | None, EducationPage | None]:
    """The pages before and after this one, in reading order."""
    index = PAGES.index(page)
    previous_page = PAGES[index - 1] if index > 0 else None
    next_page = PAGES[index + 1] if index + 1 < len(PAGES) else None
    return previous_page, next_page
