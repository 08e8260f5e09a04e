"""Benchmark: stock generation, orientation and prescription of a whole Lozère programme.

    .venv/bin/python bench/prescribe.py [--referrals 720]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/prescribe.py

Runs in a throw-away test database (created and destroyed by Django's test runner machinery)
and prints figures; it asserts nothing about speed.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=720)
    args = parser.parse_args()

    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        "bench_passnum" if connection.vendor == "postgresql" else None
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.referrals)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def timed(label, function, count=1):
    start = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - start
    per = f" ({elapsed / count * 1000:.2f} ms chacun)" if count > 1 else ""
    print(f"{label:<48} {elapsed:8.2f} s{per}")
    return result


def run(referral_count: int):
    from passnum.beneficiaries.services import BeneficiaryData
    from passnum.organisations.actor import Actor
    from passnum.organisations.enums import OrganisationKind
    from passnum.passes.services import generate_passes
    from passnum.referrals.selectors import referrals_visible_to
    from passnum.referrals.services import prescribe, refer
    from passnum.territories.models import Commune
    from passnum.territories.services import load_communes
    from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory

    print(f"base : {connection.vendor}")
    load_communes("48")
    communes = list(Commune.objects.all())
    programme = ProgrammeFactory()
    referrer = Actor(
        MembershipFactory(
            organisation=OrganisationFactory(programme=programme, kind=OrganisationKind.REFERRER)
        )
    )
    department = Actor(
        MembershipFactory(
            organisation=OrganisationFactory(programme=programme, kind=OrganisationKind.DEPARTMENT)
        )
    )
    timed("générer 3 600 pass", lambda: generate_passes(programme, 3600))

    def orient():
        return [
            refer(
                referrer,
                publics=["rsa"] if i % 3 == 0 else [],
                needs=["outils_quotidien"],
                beneficiary_data=BeneficiaryData(
                    f"Prénom{i}", f"Nom{i}", date(1960 + i % 40, 1, 1), communes[i % len(communes)]
                ),
            )
            for i in range(referral_count)
        ]

    referrals = timed(f"orienter {referral_count} personnes", orient, referral_count)
    timed(
        f"prescrire {referral_count} chéquiers",
        lambda: [prescribe(department, r) for r in referrals],
        referral_count,
    )
    with CaptureQueriesContext(connection) as queries:
        rows = timed(
            "lister toutes les orientations", lambda: list(referrals_visible_to(department))
        )
    print(f"{'  lignes / requêtes SQL':<48} {len(rows):8d} / {len(queries)}")


if __name__ == "__main__":
    main()
