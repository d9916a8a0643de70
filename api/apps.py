from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Partner API"

    def ready(self):
        from . import receivers, schema  # noqa: F401  signal receivers; the OpenAPI key-header extension
