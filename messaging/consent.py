"""The consent text newsletter subscribers agree to, with its version.

Change the wording → raise the version: every consent record names the version it was given under,
and the texts of earlier versions stay here so a record can be read against the exact wording.
"""

from django.utils.translation import gettext_lazy as _

LIST_NAME = "newsletter"

CONSENT_TEXT_VERSION = "newsletter-2026-11"

CONSENT_TEXTS = {
    "newsletter-2026-11": _(
        "I want to receive the newsletter of the cluster cooperation (ACOD, Cluster IT Mitteldeutschland, "
        "Netzwerk Logistik Mitteldeutschland) by e-mail, with news from the associations and topics I chose. "
        "My e-mail address is used for nothing else. I can withdraw my consent at any time with the "
        "unsubscribe link in every newsletter."
    ),
}


def consent_text(version: str = CONSENT_TEXT_VERSION) -> str:
    return str(CONSENT_TEXTS[version])
