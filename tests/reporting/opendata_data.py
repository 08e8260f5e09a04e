"""A programme's activity built through the services (prescribe, redeem, undo), and the open
data's figures computed directly from it, row by row, to compare with what is published."""

import random
from collections import Counter, defaultdict
from datetime import date, timedelta

from passnum.passes import codes, keys
from passnum.passes.enums import CONSUMED, PassStatus
from passnum.passes.models import Checkbook
from passnum.passes.services import generate_passes
from passnum.redemptions.models import Redemption
from passnum.redemptions.services import redeem, undo_session
from passnum.referrals.services import prescribe
from passnum.reporting.open_data import OUTSIDE_PRIORITY
from passnum.territories.models import Commune
from tests.factories import ReferralFactory, set_status
from tests.redemptions.factories import department_actor, provider_actor

# Publication day: January to May 2026 are published, June is not complete.
TODAY = date(2026, 6, 15)
COMMUNES = ["48095", "48095", "48095", "48061", "48146", "48080", "48001"]  # Mende weighs more
PUBLICS = [[], ["rsa"], ["rsa", "senior"], ["senior"], ["jeune"], ["primo_arrivant"], ["rsa"]]


def build_activity(programme, people: int, seed: int = 7, *, crowd: str = "48095") -> dict:
    """``people`` persons of ``programme`` (communes of Lozère loaded), each prescribed a
    checkbook between January and mid-June 2026, most of whom use some passes; one session is
    undone, some passes are reimbursed. The first six are rSa people of ``crowd`` prescribed in
    February: one cell of the table is at least 5."""
    rng = random.Random(seed)
    department = department_actor(programme)
    provider = provider_actor(programme)
    generate_passes(programme, people * programme.passes_per_checkbook, today=date(2026, 1, 1))
    communes = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=COMMUNES)}
    sessions = []
    for index in range(people):
        if index < 6:
            commune, publics, day = crowd, ["rsa"], date(2026, 2, 3 + index)
        else:
            commune, publics = rng.choice(COMMUNES), rng.choice(PUBLICS)
            day = date(2026, 1, 2) + timedelta(days=rng.randrange(0, 163))
        referral = ReferralFactory(
            beneficiary__programme=programme,
            beneficiary__commune=communes[commune],
            publics=publics,
        )
        checkbook = prescribe(department, referral, today=day).checkbook
        printed = [
            codes.display(keys.decrypt(p.code_encrypted))
            for p in checkbook.passes.order_by("serial")
        ]
        used = 0
        for _ in range(rng.choice([0, 1, 1, 2])):
            count = rng.randint(1, 2)
            if used + count > len(printed):
                break
            session_day = min(day + timedelta(days=rng.randrange(0, 70)), TODAY)
            sessions.append(
                redeem(
                    provider,
                    codes=printed[used : used + count],
                    date=session_day,
                    duration_minutes=60 * count,
                    services=["outils_quotidien"],
                    today=session_day,
                )
            )
            used += count
    undo_session(provider, sessions[0], "Séance déclarée deux fois")
    reimbursed = [
        r.pass_obj for r in Redemption.objects.filter(programme=programme, undone_at=None)[:3]
    ]
    set_status(reimbursed, PassStatus.REIMBURSED)
    return {"sessions": sessions, "undone": sessions[0]}


def month_of(day) -> str:
    return f"{day:%Y-%m}"


def expected_figures(programme, today=TODAY) -> dict:
    """Directly from the records: per measure, (month, INSEE code, public) → count, for the
    complete months before ``today``."""
    before = today.replace(day=1)
    people = defaultdict(set)
    for checkbook in Checkbook.objects.filter(programme=programme).select_related(
        "beneficiary__commune", "prescription__referral"
    ):
        if checkbook.issued_on >= before:
            continue
        for public in set(checkbook.prescription.referral.publics) or {OUTSIDE_PRIORITY}:
            key = (month_of(checkbook.issued_on), checkbook.beneficiary.commune.insee_code, public)
            people[key].add(checkbook.beneficiary_id)
    passes = Counter()
    for redemption in Redemption.objects.filter(programme=programme).select_related(
        "session",
        "pass_obj__checkbook__beneficiary__commune",
        "pass_obj__checkbook__prescription__referral",
    ):
        if redemption.undone_at is not None or redemption.pass_obj.status not in CONSUMED:
            continue
        if redemption.session.date >= before:
            continue
        checkbook = redemption.pass_obj.checkbook
        for public in set(checkbook.prescription.referral.publics) or {OUTSIDE_PRIORITY}:
            key = (
                month_of(redemption.session.date),
                checkbook.beneficiary.commune.insee_code,
                public,
            )
            passes[key] += 1
    return {
        "personnes_chequier": {key: len(ids) for key, ids in people.items()},
        "pass_utilises": dict(passes),
    }
