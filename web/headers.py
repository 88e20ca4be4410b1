"""Security headers of every response, and the one way stored files leave Alur.

Pages, the API, static files and error pages all get the site policy: scripts only from
Alur's own files (never inline), no framing, no MIME sniffing, no referrer outside the site.
A stored file (an uploaded BPMN, an export) is hostile content: it goes out through
:func:`download`, which makes every browser save it instead of rendering it, and sandboxes it
with no script should a browser open it anyway.
"""

from collections.abc import Iterable

from flask import Flask, Response

# bpmn-js and Swagger UI set style attributes from their scripts, so styles may be inline;
# scripts may not, which is what stops injected markup from running.
SITE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# For stored files: nothing may load or run, even if the file is opened in a tab.
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"

SITE_HEADERS = {
    "Content-Security-Policy": SITE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Referrer-Policy": "same-origin",
}


def download(body: bytes | str | Iterable[bytes | str], filename: str, mimetype: str) -> Response:
    """A stored file or an export as an attachment no browser will render or run."""
    safe_name = "".join(c for c in filename if c.isprintable() and c not in '"\\/;')
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "Content-Security-Policy": DOWNLOAD_POLICY,
        },
    )


def _add_site_headers(response: Response) -> Response:
    for name, value in SITE_HEADERS.items():
        response.headers.setdefault(name, value)  # a download keeps its stricter policy
    return response


def init_headers(app: Flask) -> None:
    """Add the site headers to every response, error pages and static files included."""
    app.after_request(_add_site_headers)
