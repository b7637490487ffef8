"""Browser-facing defences: security headers, CSRF tokens, signed session cookies.

CSRF: every form carries a token bound to the visitor's session (or, before sign-in, to a
random pre-session cookie) and signed with ``VS_WEB_SECRET``; a POST without the matching
token is refused. The session cookie holds a random id (signed), the database only its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "vs_sessie"
PRE_SESSION_COOKIE = "vs_voor"
CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE_SECONDS = 12 * 3600

#: No inline script or style anywhere, nothing from another origin, no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


class SecurityHeaders(BaseHTTPMiddleware):
    """Every response gets the security headers; pages and API answers are never cached."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            # Pages hold addresses and raw rows: a shared computer's cache keeps nothing.
            response.headers["Cache-Control"] = "no-store"
        return response


class Secrets:
    """Signing with the web secret: cookies, CSRF tokens, the keyed hash of a client."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._cookie = Signer(secret, salt="vroegsignaal-sessie")
        self._csrf = URLSafeTimedSerializer(secret, salt="vroegsignaal-csrf")

    def sign_cookie(self, value: str) -> str:
        return self._cookie.sign(value).decode()

    def unsign_cookie(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return self._cookie.unsign(value).decode()
        except BadSignature:
            return None

    def csrf_token(self, binding: str) -> str:
        return self._csrf.dumps(_binding_digest(binding))

    def csrf_valid(self, token: str | None, binding: str | None) -> bool:
        if not token or not binding:
            return False
        try:
            value = self._csrf.loads(token, max_age=CSRF_MAX_AGE_SECONDS)
        except BadSignature:
            return False
        return isinstance(value, str) and hmac.compare_digest(value, _binding_digest(binding))

    def client_hash(self, client: str) -> str:
        """A keyed hash of the client address: the rate limit counts it, nobody can read it."""
        return hmac.new(self._secret, client.encode(), hashlib.sha256).hexdigest()


def _binding_digest(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()[:32]


def new_pre_session() -> str:
    return secrets.token_urlsafe(24)
