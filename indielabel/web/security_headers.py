"""Headers on every response: what a browser may load, run and embed for this app, and what it may leak.

The compiled front end loads its scripts and styles from files, never inline, so the policy allows
script only from this origin and no `eval` (charts use Vega's expression interpreter for that reason).
Svelte sets inline `style` attributes, so inline styles are allowed.
"""

from __future__ import annotations

from collections.abc import MutableMapping

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Answers about a user's data must not be kept by shared caches (proxies) or the browser's disk cache.
PRIVATE_CACHE_CONTROL = "no-store"


def add_security_headers(headers: MutableMapping[str, str], *, private: bool) -> None:
    """Add the security headers that ``headers`` does not set already; ``private`` also forbids caching."""
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if private:
        headers.setdefault("Cache-Control", PRIVATE_CACHE_CONTROL)
