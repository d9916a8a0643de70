"""The CapabilityStatement: built from the same tables the searches use, so it declares exactly what is served."""

from datetime import date

from . import fhir
from .fhir_search import SEARCH
from .fhir_selectors import INCLUDES, REVINCLUDES

INTERACTIONS = ("read", "vread", "history-instance", "search-type")
BASE_PARAMETERS = {
    "_id": "http://hl7.org/fhir/SearchParameter/Resource-id",
    "_lastUpdated": "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated",
}
# Parameters that Plan-Net defines (SearchParameter-<id> in the guide); the others are the base specification's or ours.
PLAN_NET_PARAMETERS = {
    "Practitioner": {
        "name": "practitioner-name",
        "family": "practitioner-family-name",
        "given": "practitioner-given-name",
    },
    "PractitionerRole": {
        name: f"practitionerrole-{name}"
        for name in ("practitioner", "organization", "location", "service", "network", "endpoint", "role", "specialty")
    },
    "Location": {
        name: f"location-{name}"
        for name in (
            "partof",
            "organization",
            "endpoint",
            "address-city",
            "address-state",
            "address-postalcode",
            "address",
            "type",
        )
    },
    "Organization": {
        name: f"organization-{name}" for name in ("partof", "endpoint", "address", "name", "type", "coverage-area")
    },
}
CORE_PARAMETERS = {
    ("Practitioner", "identifier"): "http://hl7.org/fhir/SearchParameter/Practitioner-identifier",
    ("VerificationResult", "target"): "http://hl7.org/fhir/SearchParameter/VerificationResult-target",
}


def _definition(resource_type: str, name: str) -> str | None:
    if name in BASE_PARAMETERS:
        return BASE_PARAMETERS[name]
    if name in PLAN_NET_PARAMETERS.get(resource_type, {}):
        return f"{fhir.PLAN_NET}/SearchParameter/{PLAN_NET_PARAMETERS[resource_type][name]}"
    return CORE_PARAMETERS.get((resource_type, name))


def _documentation(name: str, param) -> str:
    if param.chain is None:
        return param.doc
    target = param.chain[0]
    return f"{param.doc}. Chains one level to any {target} search parameter, e.g. {name}.{CHAIN_EXAMPLES[target]}"


CHAIN_EXAMPLES = {
    "Practitioner": "family",
    "Organization": "name",
    "Location": "address-city",
    "HealthcareService": "service-category",
    "Endpoint": "organization",
}


def _search_param(resource_type: str, name: str, param) -> dict:
    definition = _definition(resource_type, name)
    return {
        "name": name,
        **({"definition": definition} if definition else {}),
        "type": param.kind,
        "documentation": _documentation(name, param),
    }


def _resource(resource_type: str) -> dict:
    resource = {
        "type": resource_type,
        "supportedProfile": [fhir.PROFILES[resource_type]],
        "interaction": [{"code": code} for code in INTERACTIONS],
        "versioning": "versioned",
        "readHistory": True,
        "referencePolicy": ["literal", "local", "resolves"],
        "searchInclude": list(INCLUDES[resource_type]),
        "searchRevInclude": list(REVINCLUDES[resource_type]),
        "searchParam": [_search_param(resource_type, name, param) for name, param in SEARCH[resource_type].items()],
    }
    return {key: value for key, value in resource.items() if value != []}


def capability_statement(*, base: str, when: date) -> dict:
    """What this server does: read, vread, history and search on each resource, with its parameters."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": when.isoformat(),
        "publisher": fhir.OWN_ORGANIZATION_NAME,
        "kind": "instance",
        "software": {"name": fhir.OWN_ORGANIZATION_NAME},
        "implementation": {"description": "Read-only FHIR R4 view of the directory (partners only)", "url": base},
        "fhirVersion": fhir.FHIR_VERSION,
        "format": ["json"],
        "implementationGuide": [f"{fhir.PLAN_NET}/ImplementationGuide/hl7.fhir.us.davinci-pdex-plan-net"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [{"text": "Api-Key"}],
                    "description": "Send a partner key as 'Authorization: Api-Key <key>'; this statement is public.",
                },
                "resource": [_resource(resource_type) for resource_type in SEARCH],
            }
        ],
    }
