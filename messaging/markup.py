"""Newsletter bodies: Markdown written by staff, rendered to sanitised HTML (nh3) and kept as plain text."""

import markdown
import nh3
from django.conf import settings

TAGS = {
    "a", "p", "br", "hr", "h1", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "blockquote", "code", "pre",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "img", "sup", "sub",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"https", "http", "mailto"}


def markdown_to_html(text: str) -> str:
    """Markdown to HTML that is safe to send: no script, no style, no event handlers, only web and
    mail links; relative URLs (``/events/…``) point into the portal, since an e-mail has no base URL."""
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        url_relative=("rewrite_with_base", settings.SITE_URL + "/"),
    )
