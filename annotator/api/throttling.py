"""Rate limits: each API token (or, for a browser, each user) has its own budget."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from annotator.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """``API_RATE`` requests per token (a user's session counts as one more budget);
    anonymous callers are refused before they get here."""

    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"t{request.auth.pk}"}
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"u{request.user.pk}"}
        return None
