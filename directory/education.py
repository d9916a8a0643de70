"""The FBSS education pages: reviewed medical content kept in version control (see README)."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Reference:
    title: str
    publisher: str
    url: str


@dataclass(frozen=True)
class EducationPage:
    slug: str
    title: str
    summary: str
    last_reviewed: date
    template: str  # the article body only, without the site layout

    @property
    def url_name(self):
        return "directory:education"

    @property
    def article_template(self) -> str:
        """The article body without the site layout: the page includes it, the partner API renders it alone."""
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
        title="What is Failed Back Surgery Syndrome?",
        summary="Why back or neck pain can continue or return after spine surgery, and what the name means.",
        last_reviewed=date(2026, 11, 1),
        template="directory/education/what_is_fbss.html",
    ),
    EducationPage(
        slug="causes",
        title="Causes of Failed Back Surgery Syndrome",
        summary="The common reasons surgery does not relieve pain: diagnosis, technique, healing and scar tissue.",
        last_reviewed=date(2026, 11, 1),
        template="directory/education/causes.html",
    ),
    EducationPage(
        slug="symptoms",
        title="Symptoms and warning signs",
        summary="How to tell normal healing from signs that something needs a doctor's attention.",
        last_reviewed=date(2026, 11, 1),
        template="directory/education/symptoms.html",
    ),
    EducationPage(
        slug="diagnosis-and-treatment",
        title="Diagnosis and treatment",
        summary="How doctors find the cause of ongoing pain, and the treatments they usually try, in order.",
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
