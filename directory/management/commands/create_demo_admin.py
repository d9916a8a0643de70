from django.core.management.base import BaseCommand

from directory.services import demo_admin_reset


class Command(BaseCommand):
    help = "Create or reset the demo admin user with a new random password and print the login."

    def handle(self, *args, **options):
        username, password = demo_admin_reset()
        self.stdout.write(f"Demo admin login: {username} / {password}  (http://127.0.0.1:8000/admin/)")
