from .models import ApiToken


def live_tokens_of(user):
    """The user's tokens that still work (neither revoked nor expired), newest first, with the
    organisation each acts for."""
    return (
        ApiToken.objects.of_user(user)
        .live()
        .filter(membership__is_active=True)
        .select_related("membership__organisation")
        .order_by("-created_at", "-pk")
    )
