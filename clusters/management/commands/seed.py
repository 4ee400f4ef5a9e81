"""``manage.py seed [--demo]``: load the cooperation's facts; with --demo also generated demo data."""

from django.core.management.base import BaseCommand

from clusters.demo import seed_demo
from clusters.seed import seed_facts


class Command(BaseCommand):
    help = "Load the three associations, the agreement of 17.06.2019 and the 2019 joint events (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Also add generated demo members, events, projects.")
        parser.add_argument("--organisations", type=int, default=120, help="Demo organisations (with --demo).")

    def handle(self, *args, demo=False, organisations=120, **options):
        if not demo:
            seed_facts()
            self.stdout.write(self.style.SUCCESS("Facts loaded: 3 associations, the agreement, 2 events of 2019."))
            return
        result = seed_demo(organisations=organisations)
        created = ", ".join(f"{k}: {v}" for k, v in result["created"].items())
        self.stdout.write(self.style.SUCCESS(f"Facts and demo data loaded (new rows – {created})."))
        self.stdout.write(f"Demo logins (password: {result['password']}):")
        for role, email in result["logins"].items():
            self.stdout.write(f"  {role:<28} {email}")
