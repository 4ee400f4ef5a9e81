"""Markdown written by staff (site pages, newsletters), rendered to HTML that is safe to show or send:
nh3 removes scripts, styles and event handlers and allows only web and mail links."""

import markdown
import nh3
from django.conf import settings

TAGS = {
    "a", "p", "br", "hr", "h1", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "blockquote", "code", "pre",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"https", "http", "mailto"}


def markdown_to_html(text: str, *, for_email: bool = False) -> str:
    """For e-mail, images are allowed too and relative URLs (``/events/…``) point into the portal,
    since an e-mail has no base URL; on pages the CSP allows the portal's own images only."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    options = {}
    tags, attributes = set(TAGS), dict(ATTRIBUTES)
    if for_email:
        tags.add("img")
        attributes["img"] = {"src", "alt", "title", "width", "height"}
        options["url_relative"] = ("rewrite_with_base", settings.SITE_URL + "/")
    return nh3.clean(
        html, tags=tags, attributes=attributes, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer", **options
    )
