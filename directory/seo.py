"""schema.org JSON-LD for pages, serialised safely for a <script> data block."""

import json

from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .education import EducationPage
from .models import Surgeon


def jsonld_dumps(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    # Keep "</script>" and friends from ending the data block early.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - every markup character is escaped above


def physician_jsonld(surgeon: Surgeon, *, url: str) -> str:
    addresses = [
        {
            "@type": "PostalAddress",
            "streetAddress": location.address_line1,
            "addressLocality": location.city.name,
            "addressRegion": location.city.state,
            "postalCode": location.postal_code,
            "addressCountry": "US",
        }
        for location in surgeon.locations.all()
    ]
    return jsonld_dumps(
        {
            "@context": "https://schema.org",
            "@type": "Physician",
            "name": surgeon.display_name,
            "url": url,
            "identifier": {"@type": "PropertyValue", "propertyID": "NPI", "value": surgeon.npi},
            "medicalSpecialty": str(surgeon.get_specialty_display()),
            "address": addresses,
            "isAcceptingNewPatients": surgeon.accepting_new_patients,
            "knowsLanguage": surgeon.language_list,
        }
    )


def medical_webpage_jsonld(page: EducationPage, *, url: str, references) -> str:
    return jsonld_dumps(
        {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "name": str(page.title),
            "headline": str(page.title),
            "description": str(page.summary),
            "url": url,
            "inLanguage": "es-US" if get_language() == "es" else "en-US",
            "lastReviewed": page.last_reviewed.isoformat(),
            "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
            "about": {"@type": "MedicalCondition", "name": "Failed back surgery syndrome"},
            "citation": [
                {
                    "@type": "CreativeWork",
                    "name": ref.title,
                    "publisher": {"@type": "Organization", "name": ref.publisher},
                    "url": ref.url,
                }
                for ref in references
            ],
        }
    )
