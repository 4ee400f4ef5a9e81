"""The cooperation's real facts (press release of 16.07.2019), loaded idempotently.

A second run changes nothing: every row is looked up by a natural key and written only when a
value differs. Texts are our own words; names, roles, dates and places are the facts.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from events.models import Event
from members.models import Person

from .models import BoardPosition, Cluster, CooperationAgreement, Goal, Signatory, SitePage

BERLIN = ZoneInfo("Europe/Berlin")
AGREEMENT_SLUG = "kooperation-2019"
STAFF_GROUP = "Verbandsmitarbeitende"

CLUSTERS = [
    {
        "slug": "acod",
        "short_name": "ACOD",
        "name": "ACOD Automotive Cluster Ostdeutschland e.V.",
        "sector": "automotive",
        "region": "Ostdeutschland",
        "description": (
            "Das Netzwerk der Automobilindustrie in Ostdeutschland: Hersteller, Zulieferer, "
            "Dienstleister und Forschung arbeiten hier an der Mobilität von morgen."
        ),
        "description_en": (
            "The network of the automotive industry in East Germany: manufacturers, suppliers, "
            "service providers and research working on tomorrow's mobility."
        ),
        "programme_note": "",
        "board": [("Hans-Peter", "Kemser", BoardPosition.Role.CHAIR)],
    },
    {
        "slug": "cluster-it",
        "short_name": "Cluster IT",
        "name": "Cluster IT Mitteldeutschland e.V.",
        "sector": "it",
        "region": "Mitteldeutschland",
        "description": (
            "Der Verband der IT-Wirtschaft in Mitteldeutschland verbindet Softwarehäuser, "
            "IT-Dienstleister, Anwender und Hochschulen."
        ),
        "description_en": (
            "The association of the IT industry in Central Germany connects software companies, "
            "IT service providers, users and universities."
        ),
        "programme_note": "",
        "board": [("Jens", "Heinrich", BoardPosition.Role.CHAIR)],
    },
    {
        "slug": "nlmd",
        "short_name": "NLMD",
        "name": "Netzwerk Logistik Mitteldeutschland e.V.",
        "sector": "logistics",
        "region": "Mitteldeutschland",
        "description": (
            "Das Logistiknetzwerk der Region bringt Logistikunternehmen, Verlader, Dienstleister "
            "und Wissenschaft zusammen."
        ),
        "description_en": (
            "The region's logistics network brings together logistics companies, shippers, service "
            "providers and science."
        ),
        "programme_note": "Mitglied im Programm „go-cluster“ des Bundeswirtschaftsministeriums",
        "board": [("Dierk", "Näther", BoardPosition.Role.DEPUTY_CHAIR)],
    },
]

AGREEMENT = {
    "title": "Kooperationsvereinbarung Automotive – IT – Logistik",
    "title_en": "Cooperation agreement automotive – IT – logistics",
    "signed_on": dt.date(2019, 6, 17),
    "summary": (
        "Die drei Verbände wollen ihre Branchen enger verzahnen. Mobilität, IT und Logistik wachsen "
        "durch die Digitalisierung immer stärker zusammen; die Mitglieder sollen davon durch "
        "Wissenstransfer, gegenseitige Unterstützung und neue Kontakte über die Branchengrenzen "
        "hinweg spürbar profitieren."
    ),
    "summary_en": (
        "The three associations intend to link their industries more closely. Mobility, IT and "
        "logistics are growing together through digitalisation; members are to gain tangibly from "
        "knowledge transfer, mutual support and new contacts across sector boundaries."
    ),
}

GOALS = [
    (1, "Regelmäßiger fachlicher Austausch zwischen den Branchen", "Regular professional exchange between the sectors"),
    (2, "Gemeinsame Entwicklungsprojekte zu Schwerpunktthemen", "Joint development projects on focus topics"),
    (3, "Gemeinsame Veranstaltungen und Messeauftritte", "Joint events and trade-fair appearances"),
    (
        4,
        "Fortlaufender Dialog über das Zusammenführen neuer Entwicklungen",
        "Continuous dialogue on bringing new developments together",
    ),
    (5, "Neue branchenübergreifende Veranstaltungsformate", "New cross-industry event formats"),
    (
        6,
        "Aus- und Weiterbildung von Fachkräften mit Blick auf Industrie 4.0",
        "Training and further training of skilled workers with a view to Industrie 4.0",
    ),
    (7, "Gemeinsames Ausbildungsmarketing", "Joint apprenticeship marketing"),
]

# The two joint events of 2019 named in the press release. Only dates and cities are known;
# the times below are an assumption (an evening format) and are marked as such in the admin note.
EVENTS_2019 = [
    {
        "slug": "it-trifft-logistik-2019",
        "title": "IT trifft Logistik",
        "title_en": "IT meets logistics",
        "format": Event.Format.NETWORKING,
        "starts_at": dt.datetime(2019, 2, 13, 17, 0, tzinfo=BERLIN),
        "ends_at": dt.datetime(2019, 2, 13, 21, 0, tzinfo=BERLIN),
        "city": "Leipzig",
        "organisers": ["cluster-it", "nlmd"],
        "goals": [1, 3, 5],
        "description": (
            "Ein erster gemeinsamer Abend von IT-Wirtschaft und Logistik: Wo helfen digitale "
            "Werkzeuge in Lager, Transport und Planung, und was brauchen Logistiker von IT-Anbietern?"
        ),
        "description_en": (
            "A first joint evening of the IT industry and logistics: where do digital tools help in "
            "warehousing, transport and planning, and what do logisticians need from IT providers?"
        ),
    },
    {
        "slug": "cybercrime-2019",
        "title": "Cybercrime",
        "title_en": "Cybercrime",
        "format": Event.Format.WORKSHOP,
        "starts_at": dt.datetime(2019, 3, 19, 16, 0, tzinfo=BERLIN),
        "ends_at": dt.datetime(2019, 3, 19, 20, 0, tzinfo=BERLIN),
        "city": "Halle (Saale)",
        "organisers": ["cluster-it", "acod"],
        "goals": [1, 3, 5],
        "description": (
            "IT-Sicherheitsfachleute und Automobilzulieferer sprechen über Angriffe auf Unternehmen "
            "und darüber, wie man sich in vernetzten Produktionen schützt."
        ),
        "description_en": (
            "IT security experts and automotive suppliers discuss attacks on companies and how to "
            "protect networked production."
        ),
    },
]

# First versions of the pages staff edit; the seed creates them once and never overwrites edits.
SITE_PAGES = {
    "imprint": (
        "Impressum",
        "Imprint",
        "Dieses Portal wird gemeinsam betrieben von\n\n"
        "- ACOD Automotive Cluster Ostdeutschland e.V.\n"
        "- Cluster IT Mitteldeutschland e.V.\n"
        "- Netzwerk Logistik Mitteldeutschland e.V.\n\n"
        "Anschrift, Vertretungsberechtigte und Registereintrag des verantwortlichen Vereins pflegen die "
        "Mitarbeitenden der Verbände in der Verwaltung des Portals (Seite „Impressum“).",
        "This portal is run jointly by\n\n"
        "- ACOD Automotive Cluster Ostdeutschland e.V.\n"
        "- Cluster IT Mitteldeutschland e.V.\n"
        "- Netzwerk Logistik Mitteldeutschland e.V.\n\n"
        "The address, representatives and register entry of the responsible association are maintained by "
        "the associations' staff in the portal's administration (page “Imprint”).",
    ),
    "privacy": (
        "Datenschutzhinweise",
        "Privacy notice",
        "## Welche Daten wir verarbeiten\n\n"
        "Für Mitglieder speichern wir Name, Funktion, dienstliche E-Mail-Adresse und Organisation, Ihre "
        "Anmeldungen zu Veranstaltungen sowie – nur mit Ihrer Einwilligung – Newsletter-Abonnements mit einem "
        "Nachweis der Einwilligung (Zeitpunkt, IP-Adresse, Fassung des Einwilligungstextes).\n\n"
        "## Wozu\n\n"
        "Um gemeinsame Veranstaltungen und Projekte der drei Verbände zu organisieren (Art. 6 Abs. 1 lit. b "
        "DSGVO) und Newsletter zu versenden (Art. 6 Abs. 1 lit. a DSGVO).\n\n"
        "## Cookies\n\n"
        "Das Portal setzt nur technisch notwendige Cookies: die Sitzung nach der Anmeldung, den Schutz vor "
        "Formularfälschung (CSRF) und Ihre Sprachwahl. Es lädt nichts von Dritten nach und verwendet keine "
        "Analysewerkzeuge.\n\n"
        "## Ihre Rechte\n\n"
        "Unter „Meine Daten“ können Sie alle über Sie gespeicherten Daten herunterladen und Ihr Konto löschen. "
        "Anmeldungen werden dabei anonymisiert, damit die Statistik der Verbände stimmt; "
        "Einwilligungsnachweise bewahren wir so lange auf, wie es das Gesetz verlangt.",
        "## What data we process\n\n"
        "For members we store name, function, business e-mail address and organisation, your event "
        "registrations and – only with your consent – newsletter subscriptions with proof of consent (time, "
        "IP address, version of the consent text).\n\n"
        "## What for\n\n"
        "To organise joint events and projects of the three associations (Art. 6(1)(b) GDPR) and to send "
        "newsletters (Art. 6(1)(a) GDPR).\n\n"
        "## Cookies\n\n"
        "The portal only sets strictly necessary cookies: the session after you log in, protection against "
        "forged forms (CSRF) and your language choice. It loads nothing from third parties and uses no "
        "analytics.\n\n"
        "## Your rights\n\n"
        "Under “My data” you can download all data held about you and delete your account. Your registrations "
        "are then anonymised so that the associations' statistics stay correct; proof of consent is kept as "
        "long as the law requires.",
    ),
    "accessibility": (
        "Erklärung zur Barrierefreiheit",
        "Accessibility statement",
        "Wir wollen, dass alle Mitglieder das Portal nutzen können. Die Seiten sind mit der Tastatur bedienbar, "
        "Formulare haben Beschriftungen und verknüpfte Fehlermeldungen, Farben erfüllen die Kontrastanforderungen "
        "und Diagramme haben eine Tabelle mit denselben Zahlen. Die Seiten werden automatisch mit axe-core "
        "geprüft.\n\n"
        "Wenn Sie auf eine Barriere stoßen, schreiben Sie den Mitarbeitenden Ihres Verbands; wir antworten "
        "innerhalb von zwei Wochen.",
        "We want every member to be able to use the portal. The pages work with the keyboard alone, forms have "
        "labels and linked error messages, colours meet contrast requirements and charts come with a table of "
        "the same figures. The pages are checked automatically with axe-core.\n\n"
        "If you meet a barrier, write to the staff of your association; we answer within two weeks.",
    ),
}

# What staff of an association may do in the admin (scoped to their association elsewhere).
STAFF_PERMISSIONS = {
    "members": ["organisation", "membership", "person"],
    "events": ["event", "registration"],
    "projects": ["project", "projectparticipant", "milestone", "projectstatuschange", "projectdocument"],
    "clusters": ["topic", "sitepage"],
    "messaging": ["invitationround", "newsletter"],
}
STAFF_VIEW_ONLY = {
    "clusters": ["cluster", "boardposition", "cooperationagreement", "signatory", "goal"],
    "members": ["joinrequest", "colleagueinvitation", "contactrequest"],
    "messaging": ["invitation", "eventinvitations", "subscriber", "delivery", "eventreminder", "outboundemail"],
}
STAFF_EXTRA_PERMISSIONS = {("messaging", "resend_outboundemail")}


def upsert(model, lookup: dict, values: dict):
    """Create the row, or update only the fields that differ. Returns (obj, changed)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return obj, bool(changed)


def set_m2m(manager, objects) -> None:
    """Set a many-to-many relation only when it differs (``set`` would be a no-op too, but cheaper)."""
    wanted = {o.pk for o in objects}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(objects)


def _board_person(first_name: str, last_name: str) -> Person:
    person = Person.objects.filter(first_name=first_name, last_name=last_name, organisation__isnull=True).first()
    if person is None:
        person = Person.objects.create(first_name=first_name, last_name=last_name)
    return person


@transaction.atomic
def seed_facts() -> dict:
    """Load the associations, boards, the agreement with goals and signatories, the 2019 events."""
    clusters = {}
    for data in CLUSTERS:
        values = {k: v for k, v in data.items() if k not in ("slug", "board")}
        cluster, _ = upsert(Cluster, {"slug": data["slug"]}, values)
        clusters[data["slug"]] = cluster
        for first_name, last_name, role in data["board"]:
            person = _board_person(first_name, last_name)
            upsert(BoardPosition, {"cluster": cluster, "person": person, "role": role, "until": None}, {})

    agreement, _ = upsert(CooperationAgreement, {"slug": AGREEMENT_SLUG}, AGREEMENT)
    set_m2m(agreement.parties, list(clusters.values()))
    goals = {}
    for number, title, title_en in GOALS:
        goals[number], _ = upsert(
            Goal, {"agreement": agreement, "number": number}, {"title": title, "title_en": title_en}
        )
    for data in CLUSTERS:
        first_name, last_name, role = data["board"][0]
        upsert(
            Signatory,
            {"agreement": agreement, "cluster": clusters[data["slug"]]},
            {"person": _board_person(first_name, last_name), "role": role},
        )

    for data in EVENTS_2019:
        values = {k: v for k, v in data.items() if k not in ("slug", "organisers", "goals")}
        values.update(capacity=80, audience=Event.Audience.PUBLIC, is_published=True)
        event = Event.objects.filter(slug=data["slug"]).first()
        if event is None:
            event = Event.objects.create(slug=data["slug"], **values)
        else:
            changed = {k: v for k, v in values.items() if getattr(event, k) != v}
            if changed:
                Event.objects.filter(pk=event.pk).update(**changed)
        set_m2m(event.organisers, [clusters[slug] for slug in data["organisers"]])
        set_m2m(event.goals, [goals[n] for n in data["goals"]])

    for key, (title, title_en, body, body_en) in SITE_PAGES.items():
        SitePage.objects.get_or_create(
            key=key, defaults={"title": title, "title_en": title_en, "body": body, "body_en": body_en}
        )
    staff_group_ensure()
    return {"clusters": clusters, "agreement": agreement, "goals": goals}


def staff_group_ensure() -> Group:
    """The group that gives association staff their model permissions in the admin."""
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    wanted = set()
    for app_label, models in STAFF_PERMISSIONS.items():
        for model in models:
            for action in ("view", "add", "change", "delete"):
                wanted.add((app_label, f"{action}_{model}"))
    for app_label, models in STAFF_VIEW_ONLY.items():
        for model in models:
            wanted.add((app_label, f"view_{model}"))
    wanted |= STAFF_EXTRA_PERMISSIONS
    permissions = [
        p for p in Permission.objects.select_related("content_type") if (p.content_type.app_label, p.codename) in wanted
    ]
    set_m2m(group.permissions, permissions)
    return group
