"""The security headers every response carries: a Content-Security-Policy that runs only our own files, no framing,
no MIME sniffing, no referrer leaving the site, nothing kept by a shared PC's browser or a proxy, and HSTS once
the cookies say the site is served over HTTPS only.

A deployment may replace CONTENT_SECURITY_POLICY (directive → sources) in its config; HSTS_SECONDS sets how long
browsers remember to use HTTPS.
"""
from flask import Flask, Response, request

# Only what the pages use: scripts, stylesheets and fetches from this origin. No inline script or style (the
# templates have none, and a tag that slipped past the Markdown sanitiser could not run or restyle a page), no
# plugins, no <base> to re-point relative URLs, forms post only here, and no site may frame a page (交卷 overlaid).
CONTENT_SECURITY_POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask) -> None:
    app.config.setdefault("CONTENT_SECURITY_POLICY", dict(CONTENT_SECURITY_POLICY))
    policy = "; ".join(f"{directive} {sources}" for directive, sources in app.config["CONTENT_SECURITY_POLICY"].items())
    fixed = {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",                  # frame-ancestors for browsers that predate it
        "X-Content-Type-Options": "nosniff",
        # Not no-referrer: on HTTPS Flask-WTF refuses a form post whose Referer is missing or from elsewhere.
        "Referrer-Policy": "same-origin",
    }
    if app.config.get("SESSION_COOKIE_SECURE"):
        # Plain-HTTP development never gets it: a browser would then refuse http://localhost for the max-age.
        fixed["Strict-Transport-Security"] = f"max-age={app.config['HSTS_SECONDS']}"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.update(fixed)
        if not _is_static_file(response):
            # Pages, API replies, downloads, redirects and error pages are someone's: a hall PC's next user must
            # not get them from the browser's cache or Back button, nor a proxy serve them to another candidate.
            response.headers["Cache-Control"] = "no-store"
        return response


def _is_static_file(response: Response) -> bool:
    """A file under app/static: the same for everyone, so the browser may keep it (Flask revalidates it)."""
    return request.endpoint == "static" and response.status_code < 400
