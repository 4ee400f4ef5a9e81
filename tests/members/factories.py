import factory
from django.contrib.auth import get_user_model

from members.models import Membership, Organisation, Person

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password(PASSWORD)
    language = "de"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Muster GmbH {n}")
    slug = factory.Sequence(lambda n: f"muster-gmbh-{n}")
    city = "Leipzig"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Vorname{n}")
    last_name = factory.Sequence(lambda n: f"Nachname{n}")
    email = factory.LazyAttribute(lambda p: f"{p.first_name}.{p.last_name}@example.org".lower())


def member_person(*, clusters=(), organisation=None, primary=False, language="de", email=None) -> Person:
    """A person with a login, in an organisation that is an active member of ``clusters``."""
    organisation = organisation or OrganisationFactory()
    for cluster in clusters:
        Membership.objects.get_or_create(organisation=organisation, cluster=cluster)
    user = UserFactory(language=language, **({"email": email} if email else {}))
    return PersonFactory(organisation=organisation, user=user, email=user.email, is_primary_contact=primary)


def verified(user):
    """Give the login a verified primary e-mail address, as allauth needs it to log in."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def member_organisation(*clusters, offers=(), seeks=(), **fields) -> Organisation:
    """An organisation that is an active member of ``clusters``, offering and seeking ``offers``/``seeks``."""
    organisation = OrganisationFactory(**fields)
    for cluster in clusters:
        Membership.objects.create(organisation=organisation, cluster=cluster)
    organisation.offers.set(offers)
    organisation.seeks.set(seeks)
    return organisation


def staff_of(cluster, email, **fields):
    """A staff login of ``cluster`` with the staff group's permissions."""
    from clusters.seed import staff_group_ensure

    user = UserFactory(email=email, is_staff=True, **fields)
    user.groups.add(staff_group_ensure())
    cluster.staff.add(user)
    return user
