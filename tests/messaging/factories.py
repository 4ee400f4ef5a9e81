import factory
from django.utils import timezone

from messaging.models import Newsletter, Subscriber


class SubscriberFactory(factory.django.DjangoModelFactory):
    """An active subscriber (double opt-in done); pass ``clusters=[...]`` and ``topics=[...]``."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = Subscriber.Status.ACTIVE
    confirmed_at = factory.LazyFunction(timezone.now)
    language = "de"

    @factory.post_generation
    def clusters(self, create, extracted, **kwargs):
        if create and extracted:
            self.clusters.set(extracted)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class NewsletterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Newsletter
        skip_postgeneration_save = True

    subject = factory.Sequence(lambda n: f"Neuigkeiten {n}")
    body = "Hallo **Mitglieder**,\n\n- ein Workshop\n- ein [Projekt](https://example.org/projekt)\n"

    @factory.post_generation
    def clusters(self, create, extracted, **kwargs):
        if create and extracted:
            self.clusters.set(extracted)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)
