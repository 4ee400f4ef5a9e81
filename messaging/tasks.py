"""Celery tasks of messaging: thin, take ids, safe to run twice. Retries with backoff only on
transient SMTP errors; the rows themselves know what is done (status under a row lock)."""

from celery import shared_task

from .services import newsletters, reminders
from .services.outbox import TransientSendError, outbox_requeue_stale, outbox_send, outbox_send_many


@shared_task(bind=True, max_retries=None)
def outbox_send_task(self, email_id: int) -> bool:
    """Send one message. The row's attempt counter, not Celery, decides when to give up."""
    try:
        return outbox_send(email_id=email_id)
    except TransientSendError as error:
        raise self.retry(countdown=error.retry_in) from None


@shared_task(bind=True, max_retries=None)
def outbox_send_batch_task(self, email_ids: list[int], rate: float = 0) -> int:
    """Send a batch over one SMTP connection; retry only the messages that met a transient error."""
    report = outbox_send_many(email_ids=email_ids, rate=rate, attempt=self.request.retries + 1)
    if report.retry_ids:
        raise self.retry(args=(report.retry_ids,), kwargs={"rate": rate}, countdown=report.retry_in)
    return report.sent


@shared_task
def outbox_sweep() -> int:
    """Beat: hand messages to the broker again that stayed queued too long."""
    return outbox_requeue_stale()


@shared_task
def newsletter_plan_task(newsletter_id: int) -> int:
    """Create every delivery of a newsletter that is sending (continues after a crash)."""
    return newsletters.newsletter_plan(newsletter_id=newsletter_id)


@shared_task
def newsletters_sweep() -> dict:
    """Beat: start scheduled newsletters that are due; resume planning that stalled."""
    return newsletters.newsletters_sweep()


@shared_task
def event_reminders_task() -> int:
    """Beat: remind the confirmed people of tomorrow's events, each once."""
    return reminders.event_reminders_due()
