"""Knowing when Alur is served over HTTPS, so that its cookies are then marked Secure.

Behind a reverse proxy that ends TLS, the request reaching Alur is plain HTTP; the proxy says
the original scheme in ``X-Forwarded-Proto``. Anyone can send that header, so it is believed
only when the administrator declares how many proxies stand in front (``TRUSTED_PROXIES``).
"""

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, Secure whenever the request came over HTTPS.

    A fixed ``SESSION_COOKIE_SECURE`` would either leave the cookie readable on HTTP or make
    a plain-HTTP install (the embedded default) unable to keep anyone logged in.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_https(app: Flask, trusted_proxies: int) -> None:
    """Believe ``trusted_proxies`` hops of X-Forwarded-* headers; mark cookies by the scheme."""
    if trusted_proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=trusted_proxies,
            x_proto=trusted_proxies,
            x_host=trusted_proxies,
            x_port=trusted_proxies,
        )
    app.session_interface = HttpsAwareSessionInterface()
