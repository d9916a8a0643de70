from django.core.management.base import BaseCommand

from demo.superuser import DEMO_ADMIN_USERNAME, demo_admin_exists, demo_admin_reset


class Command(BaseCommand):
    help = "Create the demo admin user with a random password and print the login; --reset gives it a new one."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="set a new password if the user exists")

    def handle(self, *args, reset, **options):
        if demo_admin_exists() and not reset:
            self.stdout.write(
                f"Demo admin {DEMO_ADMIN_USERNAME!r} exists; its password is unchanged "
                "(`make demo-admin-password` sets a new one)."
            )
            return
        username, password = demo_admin_reset()
        self.stdout.write(f"Demo admin login: {username} / {password}  (http://127.0.0.1:8000/admin/)")
