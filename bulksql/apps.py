from django.apps import AppConfig


class BulkSqlConfig(AppConfig):
    name = "bulksql"
    verbose_name = "Bulk SQL"

    def ready(self):
        from . import lookups  # noqa: F401 - registers the any_of lookup
