"""Who may read the API: tokens, sessions, the public (DASHBOARD_PUBLIC_READ), never a
redirect to the login page; token use counted in the アクセス記録."""

import pytest
from django.test import Client
from django.urls import reverse

from governance.audit import AccessKind, AccessRecord
from governance.tokens import ApiToken, api_token_revoke

pytestmark = pytest.mark.django_db

URL = "/api/v1/totals"


def test_api_refuses_anonymous_readers_with_json_401_not_a_login_redirect(client, seeded):
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unauthorized"
    assert "Bearer" in response["WWW-Authenticate"]


def test_api_answers_the_public_when_the_dashboard_is_public(client, seeded, public):
    assert client.get(URL).status_code == 200


def test_api_answers_a_token_and_a_logged_in_session(token_client, reader_client, seeded):
    assert token_client.get(URL).status_code == 200
    assert reader_client.get(URL).status_code == 200


@pytest.mark.parametrize("is_public", [False, True])
def test_api_refuses_a_revoked_token_with_401_even_in_public_mode(
    settings, reader, token, seeded, is_public
):
    settings.DASHBOARD_PUBLIC_READ = is_public
    api_token_revoke(user=reader, token_id=ApiToken.objects.get().pk)
    response = Client(headers={"Authorization": f"Bearer {token}"}).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_api_refuses_a_made_up_token(seeded, public):
    response = Client(headers={"Authorization": "Bearer mict_not-a-real-token"}).get(URL)
    assert response.status_code == 401


def test_token_is_stored_hashed_only(token):
    stored = ApiToken.objects.get()
    assert token not in (stored.key_hash, stored.key_start)
    assert len(stored.key_hash) == 64 and token.startswith(stored.key_start)


def test_token_use_is_counted_on_one_access_record_row(token_client, reader, seeded):
    for _ in range(3):
        assert token_client.get(URL).status_code == 200
    rows = AccessRecord.objects.filter(kind=AccessKind.API)
    assert rows.count() == 1
    row = rows.get()
    assert row.user == reader and row.repeat_count == 3
    assert "テスト連携" in row.detail
    assert ApiToken.objects.get().last_used_at is not None


def test_token_page_needs_a_login(client, public):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302


def test_token_page_shows_a_new_token_once_and_revokes_it(reader_client):
    page = reader_client.post(reverse("api_tokens"), {"label": "集計表示"})
    assert page.status_code == 200
    raw = page.context["created"]["raw"]
    assert raw in page.content.decode()
    assert "今だけ表示" in page.content.decode()
    again = reader_client.get(reverse("api_tokens")).content.decode()
    assert raw not in again and "集計表示" in again
    token = ApiToken.objects.get()
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/plan").status_code in (
        200,
        404,
    )
    reader_client.post(reverse("api_tokens"), {"revoke": token.pk})
    token.refresh_from_db()
    assert not token.is_active
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/plan").status_code == 401


def test_token_page_refuses_an_empty_label(reader_client):
    page = reader_client.post(reverse("api_tokens"), {"label": ""})
    assert "用途を入力してください" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_users_cannot_revoke_each_others_tokens(reader, token, django_user_model):
    other = django_user_model.objects.create_user("other")
    assert not api_token_revoke(user=other, token_id=ApiToken.objects.get().pk)
    assert ApiToken.objects.get().is_active


def _staff_in(django_user_model, username: str, role: str):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, password="unused", is_staff=True)
    Group.objects.get(name=role).user_set.add(user)
    return user


def test_an_account_manager_revokes_a_leaked_token_of_someone_else(
    client, django_user_model, reader, token, seeded
):
    """管理者 see every user's tokens in admin (never their secrets) and revoke them; the
    token answers 401 from then on. 情報企画課 and 閲覧 do not see the list."""
    from django.urls import reverse

    from governance.roles import ADMINISTRATOR, POLICY_DIVISION, READER

    changelist = reverse("admin:governance_apitoken_changelist")
    stored = ApiToken.objects.get()
    for role in (READER, POLICY_DIVISION):
        client.force_login(_staff_in(django_user_model, f"not-{role}", role))
        assert client.get(changelist).status_code == 403
        assert "API トークン" not in client.get(reverse("admin:index")).content.decode()

    client.force_login(_staff_in(django_user_model, "kanri", ADMINISTRATOR))
    page = client.get(changelist).content.decode()
    assert "テスト連携" in page and stored.key_start in page
    assert token not in page and stored.key_hash not in page
    response = client.post(
        changelist, {"action": "revoke", "_selected_action": [stored.pk]}, follow=True
    )
    assert "1 件のトークンを失効させました" in response.content.decode()
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    answer = Client(headers={"Authorization": f"Bearer {token}"}).get(URL)
    assert answer.status_code == 401
