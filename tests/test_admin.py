"""Every model registered in the admin lists without error, and the ledger is read-only there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from passnum.passes.models import Pass
from tests.factories import ReferralFactory, UserFactory


@pytest.fixture
def superuser_client(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    ReferralFactory()
    return client


@pytest.mark.parametrize(
    "model", list(admin.site._registry), ids=lambda m: f"{m._meta.app_label}.{m.__name__}"
)
def test_changelist_opens(superuser_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert superuser_client.get(url).status_code == 200


def test_passes_cannot_be_changed_in_the_admin(superuser_client, programme):
    from passnum.passes.services import generate_passes

    pass_ = generate_passes(programme, 1)[0]
    response = superuser_client.post(
        reverse("admin:passes_pass_change", args=[pass_.pk]), {"status": "redeemed"}
    )
    assert response.status_code == 403
    pass_.refresh_from_db()
    assert pass_.status == "available"
    page = superuser_client.get(reverse("admin:passes_pass_change", args=[pass_.pk]))
    assert "code_encrypted" not in page.content.decode()
    assert Pass.objects.count() == 1
