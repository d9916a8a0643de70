from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_functions(sender, connection, **kwargs):
    # PostgreSQL has these as SQL functions (migration 0007); SQLite gets the same folding from Python.
    if connection.vendor == "sqlite":
        from .search import fold, name_fold

        connection.connection.create_function("directory_fold", 1, fold, deterministic=True)
        connection.connection.create_function("directory_name_fold", 3, name_fold, deterministic=True)


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory"

    def ready(self):
        connection_created.connect(_sqlite_functions, dispatch_uid="directory_sqlite_functions")
