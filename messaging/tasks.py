"""Celery tasks of the outbox: thin, take ids, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(
    autoretry_for=(services.TransientSendError,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def outbox_send_task(email_id: int) -> bool:
    return services.outbox_send(email_id=email_id)


@shared_task
def outbox_sweep() -> int:
    return services.outbox_requeue_stale()
