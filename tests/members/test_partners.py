"""Directory and partner search pages, contact requests that reveal addresses only on acceptance."""

import re

import pytest
from django.urls import reverse

from clusters.models import Topic
from members.models import ContactRequest
from messaging.models import OutboundEmail
from tests.members.factories import UserFactory, member_organisation, member_person

pytestmark = pytest.mark.django_db


def org(name, cluster, offers=(), seeks=()):
    return member_organisation(cluster, offers=offers, seeks=seeks, name=name)


@pytest.fixture
def world(facts):
    c = facts["clusters"]
    robotics = Topic.objects.create(name="Robotik", slug="robotik")
    me = member_person(clusters=[c["acod"]], email="ich@werk.example")
    me.organisation.seeks.set([robotics])
    partner = org("Roboter GmbH", c["cluster-it"], offers=[robotics])
    contact = member_person(organisation=partner, primary=True, email="kontakt@roboter.example")
    return {"me": me, "partner": partner, "contact": contact, **c}


def test_directory_access_and_bad_filters(client, world):
    url = reverse("members:directory")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())  # a login that belongs to no organisation
    assert client.get(url).status_code == 403
    client.force_login(world["me"].user)
    response = client.get(url, {"cluster": "cluster-it"})
    assert response.status_code == 200
    assert [o.name for o in response.context["page"]] == ["Roboter GmbH"]
    assert client.get(url, {"cluster": "no-such-cluster"}).status_code == 400
    assert client.get(url, {"size": "gigantic"}).status_code == 400
    assert client.get(url, {"page": "abc"}).status_code == 200


def test_directory_query_count_is_fixed(client, world, django_assert_max_num_queries):
    client.force_login(world["me"].user)
    url = reverse("members:directory")
    client.get(url)  # warm the cached filter vocabulary
    with django_assert_max_num_queries(10) as small:
        client.get(url)
    for n in range(40):
        org(f"Firma {n}", world["nlmd"], offers=[Topic.objects.first()])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_partner_page_lists_matches(client, world):
    client.force_login(world["me"].user)
    response = client.get(reverse("members:partners"))
    assert response.status_code == 200
    assert [p.name for p in response.context["partners"]] == ["Roboter GmbH"]
    assert "Robotik" in response.content.decode()


def test_contact_request_reveals_addresses_only_on_acceptance(client, world):
    client.force_login(world["me"].user)
    url = reverse("members:contact", args=[world["partner"].slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"message": "Wir suchen Unterstützung bei der Robotik in der Montage."})
    assert response.status_code == 302
    request = ContactRequest.objects.get()
    mail = OutboundEmail.objects.get(to_email="kontakt@roboter.example")
    assert "Robotik in der Montage" in mail.body_text
    assert "ich@werk.example" not in mail.body_text + mail.body_html
    # A second request while the first is pending is refused with 409.
    assert client.post(url, {"message": "Noch einmal: wir suchen Unterstützung."}).status_code == 409

    client.logout()
    answer_url = re.search(r"http\S+/members/contact/\S+/", mail.body_text).group(0).split("testserver")[-1]
    answer_url = answer_url[answer_url.index("/members/") :]
    assert client.get(answer_url).status_code == 200
    assert client.post(answer_url, {"answer": "maybe"}).status_code == 400
    assert client.post(answer_url, {"answer": "accept"}).status_code == 200
    request.refresh_from_db()
    assert request.status == ContactRequest.Status.ACCEPTED
    to_me = OutboundEmail.objects.get(to_email="ich@werk.example", template="members/emails/contact_request_accepted")
    to_them = OutboundEmail.objects.get(
        to_email="kontakt@roboter.example", template="members/emails/contact_request_accepted"
    )
    assert "kontakt@roboter.example" in to_me.body_text
    assert "ich@werk.example" in to_them.body_text
    assert client.post(answer_url, {"answer": "decline"}).status_code == 409
    assert client.get(reverse("members:contact_answer", args=["guessed-token"])).status_code == 404


def test_contact_request_refusals(client, world):
    client.force_login(world["me"].user)
    own = reverse("members:contact", args=[world["me"].organisation.slug])
    assert client.post(own, {"message": "Hallo, wir sind es selbst – das geht nicht."}).status_code == 400
    short = reverse("members:contact", args=[world["partner"].slug])
    assert client.post(short, {"message": "zu kurz"}).status_code == 400
    assert client.get(reverse("members:contact", args=["not-a-member"])).status_code == 404
    assert not ContactRequest.objects.exists()


def test_declined_request_tells_the_sender_without_addresses(client, world):
    from members.services import contact_request_answer, contact_request_create

    request = contact_request_create(
        sender=world["me"], organisation=world["partner"], message="Wir würden gern über Robotik sprechen."
    )
    contact_request_answer(token=request.token, accept=False)
    mail = OutboundEmail.objects.get(template="members/emails/contact_request_declined")
    assert mail.to_email == "ich@werk.example"
    assert "kontakt@roboter.example" not in mail.body_text
