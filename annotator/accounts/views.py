"""The "API tokens" page: each user makes, names and revokes their own personal tokens.

A new token's key is shown once, in the answer to the form that made it (never stored,
never shown again: the page is not cached); the list shows names, the key's first
characters, when each was made and last used, and which are revoked.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from annotator.access import SignedInRequest
from annotator.accounts.tokens import TokenRejected, api_token_create, api_token_revoke
from annotator.models import ApiToken


@never_cache
@login_required
def api_tokens(request: SignedInRequest) -> HttpResponse:
    """``accounts/tokens.html`` (context: ``tokens``, and after a POST ``key``/``error``)."""
    context: dict = {}
    status = 200
    if request.method == "POST":
        try:
            token, key = api_token_create(user=request.user, name=request.POST.get("name", ""))
        except TokenRejected as exc:
            context["error"], status = str(exc), 400
        else:
            context.update(new_token=token, key=key)
    context["tokens"] = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of one's own tokens (another user's is not found)."""
    token = get_object_or_404(ApiToken, pk=token_id, user_id=request.user.pk)
    api_token_revoke(token=token)
    messages.success(request, gettext("Revoked the token “%(name)s”.") % {"name": token.name})
    return redirect("api_tokens")
