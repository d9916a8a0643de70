from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Verification"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the eligibility-event receivers
