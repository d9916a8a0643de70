from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Partner API"

    def ready(self):
        from . import receivers, rendering, schema  # noqa: F401  receivers; the list body; the OpenAPI key header
