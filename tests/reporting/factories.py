"""Sessions and redemptions written directly (not through the redeem service), to test what
reads them."""

from datetime import date

from django.utils import timezone

from passnum.passes.enums import PassStatus
from passnum.redemptions.models import PlaceType, Redemption, Session
from tests.factories import UserFactory, set_status


def redeem_directly(
    organisation, passes, *, status=PassStatus.REDEEMED, undone=False, day=date(2026, 3, 10)
) -> Session:
    """A session of ``organisation`` in which ``passes`` were redeemed; their status is set to
    ``status``. ``undone`` records the redemptions as undone."""
    user = UserFactory()
    session = Session.objects.create(
        programme=organisation.programme,
        organisation=organisation,
        date=day,
        duration_minutes=60 * len(passes),
        services=["outils_quotidien"],
        place_type=PlaceType.OWN_SITE,
        created_by=user,
    )
    Redemption.objects.bulk_create(
        Redemption(
            programme=organisation.programme,
            session=session,
            pass_obj=p,
            undone_at=timezone.now() if undone else None,
        )
        for p in passes
    )
    set_status(list(passes), status)
    return session
