"""The profile page, the language switch of the header, and the "API tokens" page.

On the tokens page each user makes, names and revokes their own personal tokens. A new
token's key is shown once, in the answer to the form that made it (never stored, never
shown again: the page is not cached); the list shows names, the key's first characters,
when each was made and last used, and which are revoked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from annotator.access import SignedInRequest
from annotator.accounts.forms import LanguageForm, ProfileForm
from annotator.accounts.preferences import LANGUAGE_KEY, TIME_ZONE_KEY, preferences_remember
from annotator.accounts.services import profile_update
from annotator.accounts.tokens import TokenRejected, api_token_create, api_token_revoke
from annotator.models import ApiToken, UserProfile


@login_required
def profile(request: SignedInRequest) -> HttpResponse:
    current = UserProfile.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            language, zone = form.cleaned_data["language"], form.cleaned_data["time_zone"]
            profile_update(user=request.user, language=language, time_zone=zone)
            preferences_remember(request, language=language, time_zone=zone)
            translation.activate(language or translation.get_language_from_request(request))
            messages.success(request, _("Your settings are saved."))
            return redirect("profile")
    else:
        form = ProfileForm(
            initial={
                "language": current.language if current else "",
                "time_zone": current.time_zone if current else "",
            }
        )
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The header's switch: the language for this browser (a cookie) and, for a signed-in
    user, their profile, so it follows them to another browser."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        zone = request.session.get(TIME_ZONE_KEY, "")
        profile_update(user=request.user, language=language, time_zone=zone)
        preferences_remember(request, language=language, time_zone=zone)
    elif hasattr(request, "session") and LANGUAGE_KEY in request.session:
        request.session[LANGUAGE_KEY] = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


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
    messages.success(request, _("Revoked the token “%(name)s”.") % {"name": token.name})
    return redirect("api_tokens")
