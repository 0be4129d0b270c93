"""Pages around the API: the token page (create, show once, revoke), the docs entry and the
JSON 404 for unknown addresses under /api/."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from governance.tokens import (
    MAX_ACTIVE_TOKENS,
    TokenLimitReached,
    api_token_create,
    api_token_revoke,
    user_api_tokens,
)

from . import errors


class TokenForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("用途"),
        max_length=100,
        help_text=gettext_lazy(
            "何に使うトークンかを書いてください（例: 市ホームページの集計表示）。"
        ),
        error_messages={"required": gettext_lazy("用途を入力してください。")},
    )


@login_not_required
@require_GET
def docs(request):
    """The API's human documentation: a static page that reads /api/v1/openapi.json."""
    return redirect(static("api/index.html"))


@login_not_required
def not_found(request):
    return errors.error_response(404)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """List the user's tokens; create one (shown once, on this answer only) or revoke one."""
    form = TokenForm()
    created = None
    if request.method == "POST" and "revoke" in request.POST:
        try:
            token_id = int(request.POST["revoke"])
        except ValueError:
            token_id = 0
        if api_token_revoke(user=request.user, token_id=token_id):
            messages.success(request, _("トークンを失効させました。以後このトークンは使えません。"))
        else:
            messages.error(request, _("失効させるトークンが見つかりません（既に失効しています）。"))
        return redirect("api_tokens")
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, raw = api_token_create(user=request.user, label=form.cleaned_data["label"])
            except TokenLimitReached:
                form.add_error(
                    None,
                    _(
                        "有効なトークンは %(limit)d 個までです。"
                        "使わないトークンを失効させてください。"
                    )
                    % {"limit": MAX_ACTIVE_TOKENS},
                )
            else:
                created = {"token": token, "raw": raw}
                form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "created": created, "tokens": user_api_tokens(request.user)},
    )
