"""allauth integration: the user's language, and e-mails sent through the outbox."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Remember the language the user signed up in; e-mails follow it."""
        user.language = (translation.get_language() or "de")[:2]
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        """Render allauth's message in the user's language and write it to the outbox."""
        from messaging.services import outbox_write

        user = context.get("user")
        language = getattr(user, "language", None) or translation.get_language() or "de"
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        outbox_write(
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            template=template_prefix,
            language=language,
        )
