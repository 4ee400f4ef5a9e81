"""A realistic, generated volume of demo data for browsing the portal (``seed --demo``).

Deterministic (a fixed random seed) and idempotent: every row has a natural key and is only
created when missing, so a second run changes nothing. Dates are relative to the day of the
first run, so the demo always has upcoming events.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from events.models import Event, Registration
from members.models import Membership, Organisation, Person
from projects.models import Milestone, Project, ProjectParticipant, ProjectStatusChange

from .models import BoardPosition, Cluster, Topic
from .seed import seed_facts, staff_group_ensure

BERLIN = ZoneInfo("Europe/Berlin")
DEMO_PASSWORD = "demo-portal-2019"  # noqa: S105 (printed demo login, demo data only)

TOPICS = [
    ("Künstliche Intelligenz", "Artificial intelligence"),
    ("IT-Sicherheit", "IT security"),
    ("Elektromobilität", "Electric mobility"),
    ("Autonomes Fahren", "Autonomous driving"),
    ("Intralogistik", "Intralogistics"),
    ("Lieferkettenmanagement", "Supply chain management"),
    ("Industrie 4.0", "Industrie 4.0"),
    ("Cloud-Dienste", "Cloud services"),
    ("Datenanalyse", "Data analytics"),
    ("Fachkräftegewinnung", "Recruiting skilled workers"),
    ("Ausbildung", "Apprenticeships"),
    ("Leichtbau", "Lightweight construction"),
    ("Batterietechnik", "Battery technology"),
    ("Wasserstoff", "Hydrogen"),
    ("Robotik", "Robotics"),
    ("Digitaler Zwilling", "Digital twin"),
    ("Nachhaltige Logistik", "Sustainable logistics"),
    ("Softwareentwicklung", "Software development"),
    ("Qualitätsmanagement", "Quality management"),
    ("Telematik", "Telematics"),
]

CITIES = [
    ("Leipzig", "04"),
    ("Halle (Saale)", "06"),
    ("Dresden", "01"),
    ("Chemnitz", "09"),
    ("Zwickau", "08"),
    ("Magdeburg", "39"),
    ("Erfurt", "99"),
    ("Jena", "07"),
    ("Dessau-Roßlau", "06"),
    ("Merseburg", "06"),
    ("Schkeuditz", "04"),
    ("Gera", "07"),
]

NAME_PARTS = {
    "automotive": (
        ["Fahrzeug", "Antrieb", "Karosserie", "Motoren", "Achs", "Sitz", "Guss", "Präzisions"],
        ["technik", "systeme", "werke", "bau", "komponenten"],
    ),
    "it": (
        ["Daten", "Code", "Netz", "Cloud", "Software", "Cyber", "Digital", "Web"],
        ["werk", "schmiede", "systeme", "lösungen", "labor"],
    ),
    "logistics": (
        ["Fracht", "Lager", "Transport", "Spedition", "Güter", "Paket", "Umschlag", "Hafen"],
        ["logistik", "service", "dienste", "verkehr", "partner"],
    ),
}
LEGAL = ["GmbH", "GmbH & Co. KG", "AG", "GmbH", "UG (haftungsbeschränkt)"]
RESEARCH = [
    "Institut für Fahrzeugsysteme",
    "Forschungszentrum Logistik",
    "Institut für Angewandte Informatik",
    "Hochschule für Technik – Labor Mobilität",
    "Zentrum für Produktionsdaten",
    "Institut für Verkehrsplanung",
    "Labor für Batterieforschung",
    "Institut für Robotik und Automation",
]
FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Felix",
    "Greta",
    "Hannes",
    "Ines",
    "Jonas",
    "Katrin",
    "Lukas",
    "Marie",
    "Niklas",
    "Olga",
    "Paul",
    "Quirin",
    "Rike",
    "Stefan",
    "Tina",
    "Uwe",
    "Vera",
    "Willi",
    "Yvonne",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Seidel",
    "Vogel",
    "Fuchs",
    "Böhme",
    "Günther",
]
FUNCTIONS = [
    "Geschäftsführung",
    "Vertrieb",
    "Einkauf",
    "IT-Leitung",
    "Personalentwicklung",
    "Projektleitung",
    "Ausbildungsleitung",
    "Logistikleitung",
    "Forschung & Entwicklung",
    "Qualitätsmanagement",
]

EVENT_IDEAS = [
    ("Daten in der Lieferkette", "Data in the supply chain", Event.Format.WORKSHOP, [2, 4]),
    (
        "Automotive meets IT: Software im Fahrzeug",
        "Automotive meets IT: software in the vehicle",
        Event.Format.CONFERENCE,
        [1, 4],
    ),
    (
        "Netzwerkabend Mobilität, IT und Logistik",
        "Networking evening mobility, IT and logistics",
        Event.Format.NETWORKING,
        [1, 5],
    ),
    ("Gemeinschaftsstand auf der Logistikmesse", "Joint stand at the logistics fair", Event.Format.TRADE_FAIR, [3]),
    ("Industrie 4.0 für Ausbilderinnen und Ausbilder", "Industrie 4.0 for trainers", Event.Format.TRAINING, [6]),
    (
        "Azubi-Speeddating der drei Branchen",
        "Apprentice speed dating of three sectors",
        Event.Format.NETWORKING,
        [7, 5],
    ),
    ("IT-Sicherheit in der Produktion", "IT security in production", Event.Format.WEBINAR, [1]),
    ("Wasserstoff im Schwerlastverkehr", "Hydrogen in heavy transport", Event.Format.CONFERENCE, [4, 2]),
    ("KI in der Intralogistik", "AI in intralogistics", Event.Format.WORKSHOP, [2, 4]),
    ("Fachkräfte gemeinsam gewinnen", "Winning skilled workers together", Event.Format.WORKSHOP, [6, 7]),
    ("Digitaler Zwilling in der Fabrik", "Digital twin in the factory", Event.Format.WEBINAR, [4]),
    ("Branchenfrühstück Elektromobilität", "Sector breakfast electric mobility", Event.Format.NETWORKING, [1]),
]

PROJECTS = [
    (
        "Datenraum Mitteldeutsche Lieferkette",
        "Central German supply-chain data space",
        "Lieferkettenmanagement",
        Project.Status.RUNNING,
        [2, 4],
    ),
    (
        "Ausbildungsatlas Automotive–IT–Logistik",
        "Apprenticeship atlas automotive–IT–logistics",
        "Ausbildung",
        Project.Status.RUNNING,
        [7, 6],
    ),
    (
        "Sichere Fahrzeugsoftware-Updates",
        "Secure vehicle software updates",
        "IT-Sicherheit",
        Project.Status.PLANNED,
        [2],
    ),
    ("Lernfabrik Industrie 4.0", "Learning factory Industrie 4.0", "Industrie 4.0", Project.Status.COMPLETED, [6]),
    (
        "Emissionsarme Werkslogistik",
        "Low-emission plant logistics",
        "Nachhaltige Logistik",
        Project.Status.IDEA,
        [2, 4],
    ),
    ("KI-gestützte Tourenplanung", "AI-based route planning", "Künstliche Intelligenz", Project.Status.RUNNING, [2]),
    ("Gemeinsamer Messeauftritt 2027", "Joint trade-fair appearance 2027", "Telematik", Project.Status.PLANNED, [3]),
    ("Batterierecycling-Kreislauf", "Battery recycling loop", "Batterietechnik", Project.Status.STOPPED, [2]),
]


def _user(email: str, *, first_name="", last_name="", is_staff=False, is_superuser=False):
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def seed_demo(*, organisations: int = 120) -> dict:
    """Generated members, people, events with registrations, projects and demo logins."""
    facts = seed_facts()
    clusters: dict[str, Cluster] = facts["clusters"]
    goals = facts["goals"]
    today = timezone.localdate()
    created = {"organisations": 0, "people": 0, "events": 0, "registrations": 0, "projects": 0}

    topics = []
    for name, name_en in TOPICS:
        topic, _ = Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name, "name_en": name_en})
        topics.append(topic)
    topic_by_name = {t.name: t for t in topics}

    sector_cluster = {"automotive": clusters["acod"], "it": clusters["cluster-it"], "logistics": clusters["nlmd"]}
    orgs = []
    for i in range(organisations):
        rng = random.Random(f"organisation-{i}")  # one generator per row: reruns draw the same values
        sector = ["automotive", "it", "logistics"][i % 3]
        research = i % 9 == 4
        city, plz = CITIES[rng.randrange(len(CITIES))]
        if research:
            name = f"{RESEARCH[i % len(RESEARCH)]} {city}"
        else:
            a, b = NAME_PARTS[sector]
            name = f"{rng.choice(a)}{rng.choice(b)} {city.split(' ')[0]} {rng.choice(LEGAL)}"
        name = f"{name} ({i + 1:03d})"
        slug = slugify(name)[:200]
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            org = Organisation.objects.create(
                name=name,
                slug=slug,
                kind=Organisation.Kind.RESEARCH if research else Organisation.Kind.COMPANY,
                sector=sector,
                size=rng.choice(list(Organisation.Size.values)),
                street=f"{rng.choice(['Haupt', 'Bahnhof', 'Industrie', 'Hafen', 'Werk'])}straße {rng.randint(1, 120)}",
                postcode=f"{plz}{rng.randint(100, 999)}",
                city=city,
                website=f"https://www.{slugify(name)[:40]}.example",
                description="Demo-Mitglied für das Ausprobieren des Portals.",
            )
            org.offers.set(rng.sample(topics, 3))
            org.seeks.set(rng.sample(topics, 2))
            home = sector_cluster[sector]
            memberships = [home]
            roll = rng.random()
            others = [c for c in clusters.values() if c != home]
            if roll < 0.25:
                memberships.append(rng.choice(others))
            elif roll < 0.35:
                memberships.extend(others)
            for cluster in memberships:
                Membership.objects.create(
                    organisation=org, cluster=cluster, since=dt.date(rng.randint(2008, 2024), rng.randint(1, 12), 1)
                )
            for n in range(rng.randint(2, 5)):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                Person.objects.create(
                    organisation=org,
                    first_name=first,
                    last_name=last,
                    function=rng.choice(FUNCTIONS),
                    email=f"{slugify(first)}.{slugify(last)}.{i + 1:03d}.{n}@demo.example",
                    is_primary_contact=n == 0,
                )
                created["people"] += 1
            created["organisations"] += 1
        orgs.append(org)

    # Demo logins: a superuser, one staff user per association, the board chairs, one member.
    admin = _user("admin@demo.example", first_name="Portal", last_name="Admin", is_staff=True, is_superuser=True)
    staff_group = staff_group_ensure()
    logins = {"admin": admin.email}
    for slug, cluster in clusters.items():
        staff = _user(f"staff.{slug}@demo.example", first_name="Team", last_name=cluster.short_name, is_staff=True)
        staff.groups.add(staff_group)
        cluster.staff.add(staff)
        logins[f"staff {cluster.short_name}"] = staff.email
    for position in BoardPosition.objects.select_related("person").filter(until__isnull=True):
        person = position.person
        if person.user_id is None:
            person.user = _user(
                f"{slugify(person.first_name)}.{slugify(person.last_name)}@demo.example",
                first_name=person.first_name,
                last_name=person.last_name,
            )
            person.save(update_fields=["user"])
        logins[f"board {position.cluster.short_name}"] = person.user.email
    multi = next(o for o in orgs if o.memberships.count() >= 2)
    contact = multi.people.filter(is_primary_contact=True).first()
    if contact.user_id is None:
        contact.user = _user("member@demo.example", first_name=contact.first_name, last_name=contact.last_name)
        contact.email = "member@demo.example"
        contact.save(update_fields=["user", "email"])
    logins["member (primary contact)"] = f"{contact.user.email}  – {multi.name}"

    # Events: past ones with attendance, upcoming ones with registrations and waiting lists.
    people = list(Person.objects.filter(organisation__isnull=False).select_related("organisation").order_by("pk"))
    cluster_list = list(clusters.values())
    for i in range(36):
        rng = random.Random(f"event-{i}")
        title, title_en, format_, goal_numbers = EVENT_IDEAS[i % len(EVENT_IDEAS)]
        offset_days = (i - 12) * 9 + 5  # 12 past events, 24 upcoming
        day = today + dt.timedelta(days=offset_days)
        slug = f"{slugify(title)}-{i + 1:02d}"
        if Event.objects.filter(slug=slug).exists():
            continue
        starts = dt.datetime(day.year, day.month, day.day, rng.choice([9, 10, 14, 17]), 0, tzinfo=BERLIN)
        online = format_ == Event.Format.WEBINAR
        organisers = rng.sample(cluster_list, 3 if i % 5 == 0 else (1 if i % 4 == 3 else 2))
        capacity = rng.choice([20, 30, 40, 60, 100])
        event = Event.objects.create(
            slug=slug,
            title=title,
            title_en=title_en,
            format=format_,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3 if format_ != Event.Format.TRADE_FAIR else 56),
            venue="" if online else rng.choice(["Kongresshalle", "Innovationszentrum", "Werkhalle", "Campus"]),
            city="" if online else rng.choice(CITIES)[0],
            online_url="https://meet.demo.example/" + slug if online else "",
            description=(
                f"{title}: Fachleute aus den beteiligten Verbänden berichten aus der Praxis, danach ist Zeit "
                "für Austausch und Kontakte."
            ),
            description_en=(
                f"{title_en}: practitioners from the organising associations report from their work, "
                "followed by time for exchange and contacts."
            ),
            capacity=capacity,
            registration_opens_at=starts - dt.timedelta(days=60),
            registration_closes_at=starts - dt.timedelta(hours=12),
            audience=[Event.Audience.PUBLIC, Event.Audience.ALL_MEMBERS, Event.Audience.ORGANISER_MEMBERS][i % 3],
        )
        event.organisers.set(organisers)
        event.goals.set([goals[n] for n in goal_numbers])
        event.topics.set(rng.sample(topics, 2))
        created["events"] += 1
        past = offset_days < 0
        wanted = int(capacity * rng.uniform(0.4, 1.3))
        rows = []
        for n, person in enumerate(rng.sample(people, min(wanted, len(people)))):
            registered_at = starts - dt.timedelta(days=30, minutes=-n)
            if n < capacity:
                status = Registration.Status.CONFIRMED
                if past and rng.random() < 0.8:
                    status = Registration.Status.ATTENDED
            else:
                status = Registration.Status.WAITING if not past else Registration.Status.CANCELLED
            rows.append(
                Registration(
                    event=event,
                    person=person,
                    organisation=person.organisation,
                    status=status,
                    created_at=registered_at,
                    status_changed_at=registered_at,
                    checked_in_at=starts if status == Registration.Status.ATTENDED else None,
                )
            )
        Registration.objects.bulk_create(rows)
        created["registrations"] += len(rows)

    for i, (title, title_en, topic_name, status, goal_numbers) in enumerate(PROJECTS):
        rng = random.Random(f"project-{i}")
        slug = slugify(title)
        if Project.objects.filter(slug=slug).exists():
            continue
        lead = cluster_list[i % 3]
        starts_on = today - dt.timedelta(days=400 - i * 60)
        project = Project.objects.create(
            slug=slug,
            title=title,
            title_en=title_en,
            summary=f"Ein gemeinsames Vorhaben zum Thema {topic_name}, geführt von {lead.short_name}.",
            summary_en=f"A joint undertaking on {topic_by_name[topic_name].name_en}, led by {lead.short_name}.",
            focus_topic=topic_by_name[topic_name],
            lead_cluster=lead,
            status=status,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=730),
            funding_note="Eigenmittel der Verbände" if i % 2 else "Förderantrag in Vorbereitung",
            is_public=i % 3 != 2,
        )
        project.clusters.set([c for c in cluster_list if c != lead][: 1 + i % 2])
        project.goals.set([goals[n] for n in goal_numbers])
        for role, org in zip(
            [
                ProjectParticipant.Role.COORDINATOR,
                ProjectParticipant.Role.PARTNER,
                ProjectParticipant.Role.PARTNER,
                ProjectParticipant.Role.ASSOCIATED,
            ],
            rng.sample(orgs, 4),
            strict=True,
        ):
            ProjectParticipant.objects.create(project=project, organisation=org, role=role)
        for m in range(3):
            due = starts_on + dt.timedelta(days=120 * (m + 1))
            done = due < today and status != Project.Status.IDEA
            Milestone.objects.create(
                project=project, title=f"Meilenstein {m + 1}", due_on=due, done=done, done_on=due if done else None
            )
        ProjectStatusChange.objects.create(project=project, status=Project.Status.IDEA, changed_on=starts_on)
        if status != Project.Status.IDEA:
            ProjectStatusChange.objects.create(
                project=project, status=status, changed_on=starts_on + dt.timedelta(days=90)
            )
        created["projects"] += 1

    return {"created": created, "logins": logins, "password": DEMO_PASSWORD}
