"""Benchmark: the programme's indicators at national scale, against hand-written SQL.

    .venv/bin/python bench/stats.py                       # 1 % of the full size (a minute)
    .venv/bin/python bench/stats.py --scale 1             # 2 M people, 10 M passes, 100 programmes
    .venv/bin/python bench/stats.py --people 200000 --passes 1000000 --programmes 10

PostgreSQL only: the server is ``BENCH_POSTGRES_URL`` (default
``postgres://postgres@127.0.0.1:5432/postgres``); a throw-away database ``bench_stats`` is
created, migrated, filled by SQL (``generate_series``, deterministic) and dropped at the end
(``--keep`` keeps it).

The data set: ``--programmes`` programmes over the Lozère's communes; in each, its share of
``--people`` people, each referred once (80 % prescribed a checkbook of 5 passes over the
first eleven months of 2026, the others pending), the rest of its share of ``--passes`` in
stock; each checkbook uses 0 to 5 passes in one session at one of 20 providers (some passes
reimbursed, some expired, a few cancelled).

For one programme in the middle, it measures (median of ``--rounds`` runs, after a warm-up):

- ``GET /api/v1/stats`` (whole programme, then one period) through Django's test client, and
  the dashboard page of the operator (``--page``);
- the same figures computed by hand-written SQL on the same database (the budget, the funnel,
  the checkbooks, the first uses, the publics, the activity by provider, commune and month);
- the ratio of the two (target ≤ 1.5, and ≤ 1 s for one programme's stats at full size), and it
  checks that both give the same figures.

Then an export of ``--export-rows`` rows (default: 1 M at full size, 10 000 at 1 %): the
passes export of a programme holding that many passes, as CSV (and as XLSX for at most
``--xlsx-rows`` of them), each written by a fresh process to ``/dev/null``; it prints rows per
second and the process's peak memory (RSS) before and during the export (target: flat,
≤ 200 MB).

It prints a French table; it asserts nothing about speed.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "bench_stats"
os.environ["DATABASE_URL"] = SERVER.rsplit("/", 1)[0] + "/" + DATABASE
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DEBUG", "0")
# The tests' settings: production ones, without the HTTPS redirect the test client would meet.
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"

FULL_PEOPLE = 2_000_000
FULL_PASSES = 10_000_000
FULL_PROGRAMMES = 100
PROVIDERS = 20
REFERRERS = 5
PRESCRIBED_SHARE = 0.8


def recreate_database(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {DATABASE}")


def timed(function, rounds: int) -> tuple[float, object]:
    function()  # warm-up
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def seed(people: int, passes: int, programme_count: int):
    """Fill the database; returns (the measured programme, its operator's token)."""
    from datetime import date

    from django.db import connection

    from passnum.accounts.models import User
    from passnum.accounts.services import issue_token
    from passnum.organisations.enums import OrganisationKind as Kind
    from passnum.organisations.models import Membership, Organisation
    from passnum.programmes.models import Programme
    from passnum.territories.services import load_communes

    load_communes("48")
    programmes = Programme.objects.bulk_create(
        Programme(
            name=f"Programme {i:03d}",
            territory_code="48",
            starts_on=date(2026, 1, 1),
            ends_on=date(2028, 12, 31),
            envelope_cents=max(passes // programme_count, 1) * 1000 * 10 // 9 + 1000,
            engineering_cents=max(passes // programme_count, 1) * 1000 // 9,
            pass_value_cents=1000,
        )
        for i in range(1, programme_count + 1)
    )
    organisations = []
    for programme in programmes:
        organisations.append(
            Organisation(programme=programme, kind=Kind.DEPARTMENT, name="Département")
        )
        organisations.append(Organisation(programme=programme, kind=Kind.OPERATOR, name="Pilote"))
        organisations += [
            Organisation(programme=programme, kind=Kind.REFERRER, name=f"Orienteur {r}")
            for r in range(REFERRERS)
        ]
        organisations += [
            Organisation(programme=programme, kind=Kind.PROVIDER, name=f"Structure {s:02d}")
            for s in range(PROVIDERS)
        ]
    Organisation.objects.bulk_create(organisations, batch_size=5000)
    user = User.objects.create_user("bench", password="bench-password-0123")

    per_people = people // programme_count
    prescribed = int(per_people * PRESCRIBED_SHARE)
    per_stock = max(passes // programme_count - prescribed * 5, 0)
    params = {
        "people": per_people,
        "prescribed": prescribed,
        "stock": per_stock,
        "user": user.pk,
        "programmes": programme_count,
    }
    steps = [
        (
            "programmes",
            """CREATE TEMP TABLE bench_p AS
               SELECT p.id, row_number() OVER (ORDER BY p.id) AS i,
                 (SELECT id FROM organisations_organisation o
                   WHERE o.programme_id = p.id AND o.kind = 'department') AS department,
                 (SELECT array_agg(id ORDER BY id) FROM organisations_organisation o
                   WHERE o.programme_id = p.id AND o.kind = 'referrer') AS referrers,
                 (SELECT array_agg(id ORDER BY id) FROM organisations_organisation o
                   WHERE o.programme_id = p.id AND o.kind = 'provider') AS providers
               FROM programmes_programme p""",
        ),
        (
            "communes",
            """CREATE TEMP TABLE bench_c AS
               SELECT array_agg(id ORDER BY insee_code) AS ids, count(*) AS n
               FROM territories_commune""",
        ),
        (
            "personnes",
            """INSERT INTO beneficiaries_beneficiary (id, programme_id, first_name, last_name,
                 search_first_name, search_last_name, birth_date, commune_id, email, phone,
                 notice_given_on, created_at, created_by_id, created_by_organisation_id)
               SELECT (p.i - 1) * %(people)s + g, p.id, 'Prénom', 'Nom ' || g, 'prenom',
                 'nom ' || g, DATE '1950-01-01' + ((g * 7919) %% 20000),
                 c.ids[1 + (g * 31) %% c.n],
                 '', '', DATE '2026-01-01', TIMESTAMPTZ '2026-01-01', NULL, NULL
               FROM bench_p p, bench_c c, generate_series(1, %(people)s) g""",
        ),
        (
            "orientations",
            """INSERT INTO referrals_referral (id, programme_id, beneficiary_id, organisation_id,
                 created_by_id, created_at, publics, needs, comment, tier, status, decided_at,
                 decided_by_id, decision_reason)
               SELECT b.id, b.programme_id, b.id, p.referrers[1 + b.id %% 5], %(user)s,
                 TIMESTAMPTZ '2026-01-01' + ((b.id * 37) %% 330) * INTERVAL '1 day',
                 (ARRAY['[]', '["rsa"]', '["jeune_decrocheur"]',
                        '["demandeur_emploi_peu_qualifie", "rsa"]', '["senior"]', '["jeune"]',
                        '["primo_arrivant"]'])[1 + b.id %% 7]::jsonb,
                 (ARRAY['["outils_quotidien"]', '["demarches_administratives", "securite"]',
                        '["insertion_professionnelle"]', '["parentalite"]'])[1 + b.id %% 4]::jsonb,
                 '', 1 + b.id %% 3,
                 CASE WHEN b.id - (p.i - 1) * %(people)s <= %(prescribed)s
                      THEN 'prescribed' ELSE 'pending' END,
                 CASE WHEN b.id - (p.i - 1) * %(people)s <= %(prescribed)s
                      THEN TIMESTAMPTZ '2026-01-02' + ((b.id * 37) %% 330) * INTERVAL '1 day' END,
                 CASE WHEN b.id - (p.i - 1) * %(people)s <= %(prescribed)s
                      THEN %(user)s END,
                 ''
               FROM beneficiaries_beneficiary b JOIN bench_p p ON p.id = b.programme_id""",
        ),
        (
            "chéquiers",
            """INSERT INTO passes_checkbook (id, programme_id, number, beneficiary_id, issued_on,
                 expires_on, created_at)
               SELECT r.id, r.programme_id, r.id - (p.i - 1) * %(people)s, r.id,
                 r.decided_at::date, r.decided_at::date + 183, r.decided_at
               FROM referrals_referral r JOIN bench_p p ON p.id = r.programme_id
               WHERE r.status = 'prescribed'""",
        ),
        (
            "prescriptions",
            """INSERT INTO referrals_prescription (id, programme_id, referral_id, checkbook_id,
                 prescribed_at, prescribed_by_id, organisation_id)
               SELECT c.id, c.programme_id, c.id, c.id, c.created_at, %(user)s, p.department
               FROM passes_checkbook c JOIN bench_p p ON p.id = c.programme_id""",
        ),
        (
            "pass des chéquiers",
            """INSERT INTO passes_pass (id, programme_id, serial, code_digest, code_encrypted,
                 value_cents, status, source, stock_expires_on, checkbook_id, expires_on,
                 replaces_id, created_at, updated_at)
               SELECT 5 * (c.id - 1) + k, c.programme_id, 'B-' || (5 * (c.id - 1) + k),
                 md5('p' || (5 * (c.id - 1) + k)), '', 1000,
                 CASE
                   WHEN k <= (c.id * 13) %% 6 AND c.issued_on < DATE '2026-09-01' THEN 'reimbursed'
                   WHEN k <= (c.id * 13) %% 6 THEN 'redeemed'
                   WHEN k = 5 AND c.id %% 50 = 0 THEN 'cancelled'
                   WHEN c.expires_on + 30 < DATE '2026-12-01' THEN 'expired'
                   ELSE 'assigned' END,
                 'generated', NULL, c.id, c.expires_on, NULL, c.created_at, c.created_at
               FROM passes_checkbook c, generate_series(1, 5) k""",
        ),
        (
            "pass en stock",
            """INSERT INTO passes_pass (id, programme_id, serial, code_digest, code_encrypted,
                 value_cents, status, source, stock_expires_on, checkbook_id, expires_on,
                 replaces_id, created_at, updated_at)
               SELECT 5 * %(programmes)s * %(people)s + (p.i - 1) * %(stock)s + s, p.id,
                 'S-' || p.i || '-' || s, md5('s' || p.i || '-' || s), '', 1000, 'available',
                 'generated', NULL, NULL, NULL, NULL, TIMESTAMPTZ '2026-01-01',
                 TIMESTAMPTZ '2026-01-01'
               FROM bench_p p, generate_series(1, %(stock)s) s""",
        ),
        (
            "séances",
            """INSERT INTO redemptions_session (id, programme_id, organisation_id, place_id, date,
                 duration_minutes, path_id, services, place_type, kind, created_at,
                 created_by_id, undone_at, undone_by_id)
               SELECT c.id, c.programme_id, p.providers[1 + (c.id * 31) %% 20], NULL,
                 c.issued_on + (1 + c.id %% 40)::int, 60 * ((c.id * 13) %% 6), NULL,
                 '["outils_quotidien"]'::jsonb, 'own_site', 'individual',
                 c.created_at + INTERVAL '2 days', %(user)s, NULL, NULL
               FROM passes_checkbook c JOIN bench_p p ON p.id = c.programme_id
               WHERE (c.id * 13) %% 6 > 0""",
        ),
        (
            "encaissements",
            """INSERT INTO redemptions_redemption (id, programme_id, session_id, pass_id,
                 redeemed_at, undone_at, statement_id)
               SELECT x.id, x.programme_id, x.checkbook_id, x.id,
                 s.date + INTERVAL '12 hours', NULL, NULL
               FROM passes_pass x JOIN redemptions_session s ON s.id = x.checkbook_id
               WHERE x.status IN ('redeemed', 'reimbursed')""",
        ),
    ]
    with connection.cursor() as cursor:
        # A bulk load: no trigger, no foreign-key check row by row (the data is built coherent).
        cursor.execute("SET session_replication_role = replica")
        for label, sql in steps:
            start = time.perf_counter()
            cursor.execute(sql, params)
            elapsed = time.perf_counter() - start
            print(f"  {label:<22} {cursor.rowcount:>12,} lignes  {elapsed:7.1f} s")
        cursor.execute("SET session_replication_role = origin")
        for table in (
            "beneficiaries_beneficiary",
            "referrals_referral",
            "passes_checkbook",
            "referrals_prescription",
            "passes_pass",
            "redemptions_session",
            "redemptions_redemption",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    # What autovacuum does to a live database: the visibility map (index-only scans) and the
    # planner's statistics. Outside a transaction.
    import psycopg

    start = time.perf_counter()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as vacuum:
        vacuum.execute("VACUUM ANALYZE")
    print(f"  {'VACUUM ANALYZE':<22} {'':>12}        {time.perf_counter() - start:7.1f} s")

    programme = programmes[len(programmes) // 2]
    operator = Organisation.objects.get(programme=programme, kind=Kind.OPERATOR)
    member = User.objects.create_user("pilote-bench", password="bench-password-0123")
    Membership.objects.create(user=member, organisation=operator, is_admin=True)
    from django.test import RequestFactory

    request = RequestFactory().post("/api/v1/auth/token", REMOTE_ADDR="127.0.0.1")
    token, _ = issue_token(request, member.username, "bench-password-0123")
    return programme, member, token


HAND_SQL = {
    "registre": """
        SELECT status, count(*), sum(value_cents) FROM passes_pass
        WHERE programme_id = %(p)s GROUP BY status""",
    "entonnoir de la période": """
        SELECT x.status, count(*) FROM passes_pass x
        JOIN passes_checkbook c ON c.id = x.checkbook_id
        WHERE c.programme_id = %(p)s AND c.issued_on BETWEEN %(start)s AND %(end)s
        GROUP BY x.status""",
    "chéquiers": """
        WITH per AS (
          SELECT c.id, c.issued_on,
            count(*) FILTER (WHERE x.status IN ('redeemed', 'reimbursed')) AS used,
            count(*) FILTER (WHERE x.status <> 'cancelled') AS kept
          FROM passes_checkbook c JOIN passes_pass x ON x.checkbook_id = c.id
          WHERE c.programme_id = %(p)s AND c.issued_on BETWEEN %(start)s AND %(end)s
          GROUP BY c.id),
        firsts AS (
          SELECT x.checkbook_id AS id, min(s.date) AS first
          FROM redemptions_redemption r
          JOIN passes_pass x ON x.id = r.pass_id
          JOIN redemptions_session s ON s.id = r.session_id
          WHERE r.programme_id = %(p)s AND r.undone_at IS NULL
            AND x.status IN ('redeemed', 'reimbursed')
          GROUP BY x.checkbook_id)
        SELECT count(*), count(*) FILTER (WHERE used > 0),
          count(*) FILTER (WHERE kept > 0 AND used = kept),
          percentile_cont(0.5) WITHIN GROUP (ORDER BY firsts.first - per.issued_on)
        FROM per LEFT JOIN firsts USING (id)""",
    "publics et PIC": """
        SELECT count(*) FILTER (WHERE r.publics ?| ARRAY['jeune_decrocheur',
                                                          'demandeur_emploi_peu_qualifie']),
          count(*) FILTER (WHERE r.publics ? 'rsa'), count(DISTINCT c.beneficiary_id)
        FROM passes_checkbook c
        JOIN referrals_prescription pr ON pr.checkbook_id = c.id
        JOIN referrals_referral r ON r.id = pr.referral_id
        WHERE c.programme_id = %(p)s AND c.issued_on BETWEEN %(start)s AND %(end)s""",
    "rythme des 90 derniers jours": """
        SELECT sum(x.value_cents) FROM passes_pass x
        JOIN passes_checkbook c ON c.id = x.checkbook_id
        WHERE x.programme_id = %(p)s AND x.status <> 'cancelled'
          AND c.issued_on BETWEEN CURRENT_DATE - 89 AND CURRENT_DATE""",
    "financeurs": """
        SELECT name, share_basis_points FROM programmes_funder WHERE programme_id = %(p)s""",
    "par public": """
        SELECT coalesce(code, 'hors_public_prioritaire'), count(*)
        FROM passes_checkbook c
        JOIN referrals_prescription pr ON pr.checkbook_id = c.id
        JOIN referrals_referral r ON r.id = pr.referral_id
        LEFT JOIN LATERAL jsonb_array_elements_text(r.publics) code ON TRUE
        WHERE c.programme_id = %(p)s AND c.issued_on BETWEEN %(start)s AND %(end)s
        GROUP BY 1""",
    "par besoin": """
        SELECT code, count(*)
        FROM passes_checkbook c
        JOIN referrals_prescription pr ON pr.checkbook_id = c.id
        JOIN referrals_referral r ON r.id = pr.referral_id,
        LATERAL jsonb_array_elements_text(r.needs) code
        WHERE c.programme_id = %(p)s AND c.issued_on BETWEEN %(start)s AND %(end)s
        GROUP BY 1""",
    "prescriptions par commune et mois": """
        SELECT m.insee_code, m.name, e.code, date_trunc('month', c.issued_on), count(*)
        FROM passes_checkbook c
        JOIN beneficiaries_beneficiary b ON b.id = c.beneficiary_id
        JOIN territories_commune m ON m.id = b.commune_id
        LEFT JOIN territories_epci e ON e.id = m.epci_id
        WHERE c.programme_id = %(p)s AND c.issued_on BETWEEN %(start)s AND %(end)s
        GROUP BY 1, 2, 3, 4""",
    "activité": """
        SELECT o.name, s.path_id, m.insee_code, date_trunc('month', s.date), count(*),
          sum(x.value_cents)
        FROM redemptions_redemption r
        JOIN passes_pass x ON x.id = r.pass_id
        JOIN redemptions_session s ON s.id = r.session_id
        JOIN organisations_organisation o ON o.id = s.organisation_id
        JOIN passes_checkbook c ON c.id = x.checkbook_id
        JOIN beneficiaries_beneficiary b ON b.id = c.beneficiary_id
        JOIN territories_commune m ON m.id = b.commune_id
        WHERE r.programme_id = %(p)s AND r.undone_at IS NULL
          AND x.status IN ('redeemed', 'reimbursed') AND s.date BETWEEN %(start)s AND %(end)s
        GROUP BY 1, 2, 3, 4""",
}


def hand_sql(programme_id: int, start, end) -> dict:
    from django.db import connection

    results = {}
    with connection.cursor() as cursor:
        for label, sql in HAND_SQL.items():
            cursor.execute(sql, {"p": programme_id, "start": start, "end": end})
            results[label] = cursor.fetchall()
    return results


def check_same_figures(api: dict, sql: dict) -> list[str]:
    """What the API says and what the SQL says, compared: the differences (none expected)."""
    differences = []
    ledger = {status: count for status, count, _ in sql["registre"]}
    if api["passes"]["available"] != ledger.get("available", 0):
        differences.append("stock")
    funnel = dict(sql["entonnoir de la période"])
    for status in ("assigned", "redeemed", "reimbursed", "expired", "cancelled"):
        if api["passes"][status] != funnel.get(status, 0):
            differences.append(f"entonnoir {status}")
    prescribed, started, finished, median = sql["chéquiers"][0]
    if (api["checkbooks"]["prescribed"], api["checkbooks"]["started"]) != (prescribed, started):
        differences.append("chéquiers")
    if api["checkbooks"]["finished"] != finished:
        differences.append("chéquiers terminés")
    if (median is None) != (api["median_days_to_first_use"] is None) or (
        median is not None and abs(float(median) - api["median_days_to_first_use"]) > 1e-9
    ):
        differences.append("délai médian")
    pic, rsa, people = sql["publics et PIC"][0]
    if api["by_public"]["rsa"] != rsa or api["people"] != people:
        differences.append("publics")
    if prescribed and abs(api["pic_share"] - round(pic / prescribed, 4)) > 1e-9:
        differences.append("part PIC")
    used = sum(row[4] for row in sql["activité"])
    if api["used"]["passes"] != used:
        differences.append("pass utilisés")
    by_public = dict(sql["par public"])
    if any(api["by_public"][code] != by_public.get(code, 0) for code in api["by_public"]):
        differences.append("par public")
    by_service = dict(sql["par besoin"])
    if any(api["by_service"][code] != by_service.get(code, 0) for code in api["by_service"]):
        differences.append("par besoin")
    prescribed_in = {}
    for insee, _, _, _, count in sql["prescriptions par commune et mois"]:
        prescribed_in[insee] = prescribed_in.get(insee, 0) + count
    if {k: v["prescribed"] for k, v in api["by_commune"].items() if v["prescribed"]} != (
        prescribed_in
    ):
        differences.append("par commune")
    return differences


def seed_export_programme(rows: int, name: str):
    """A programme holding ``rows`` passes in stock (the export reads them with their joins)."""
    from datetime import date

    from django.db import connection

    from passnum.programmes.models import Programme

    programme = Programme.objects.create(
        name=name,
        territory_code="48",
        starts_on=date(2026, 1, 1),
        ends_on=date(2028, 12, 31),
        envelope_cents=rows * 1000 * 10 // 9 + 1000,
        engineering_cents=rows * 1000 // 9,
        pass_value_cents=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            """INSERT INTO passes_pass (programme_id, serial, code_digest, code_encrypted,
                 value_cents, status, source, stock_expires_on, checkbook_id, expires_on,
                 replaces_id, created_at, updated_at)
               SELECT %(p)s, 'E-' || %(p)s || '-' || lpad(s::text, 8, '0'),
                 md5('e' || %(p)s || '-' || s), '', 1000, 'available', 'imported',
                 DATE '2027-06-30', NULL, NULL, NULL, TIMESTAMPTZ '2026-01-01',
                 TIMESTAMPTZ '2026-01-01'
               FROM generate_series(1, %(rows)s) s""",
            {"p": programme.pk, "rows": rows},
        )
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("ANALYZE passes_pass")
    return programme


def export_child(programme_id: int, fmt: str) -> None:
    """In a fresh process: export the programme's passes to /dev/null; print rows, seconds,
    peak RSS before and after (MiB)."""
    import resource

    import django

    django.setup()
    from passnum.programmes.models import Programme
    from passnum.reporting.exports import pass_rows
    from passnum.reporting.writers import write_csv, write_xlsx

    programme = Programme.objects.get(pk=programme_id)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    count = 0

    def rows():
        nonlocal count
        for row in pass_rows(programme):
            count += 1
            yield row

    start = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        if fmt == "xlsx":
            write_xlsx(rows(), sink, title="Pass")
        else:
            write_csv(rows(), sink)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{count - 1} {elapsed:.3f} {before:.1f} {peak:.1f}")


def measure_export(programme_id: int, fmt: str) -> tuple[int, float, float, float]:
    import subprocess

    output = subprocess.run(
        [sys.executable, __file__, "--export-child", str(programme_id), fmt],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    ).stdout.split()
    rows, seconds, before, peak = output[-4:]
    return int(rows), float(seconds), float(before), float(peak)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.01, help="part de la taille nationale")
    parser.add_argument("--people", type=int)
    parser.add_argument("--passes", type=int)
    parser.add_argument("--programmes", type=int)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--page", default="/espace/", help="page du tableau de bord mesurée")
    parser.add_argument("--keep", action="store_true", help="garder la base bench_stats")
    parser.add_argument("--explain", action="store_true", help="le temps de chaque requête")
    parser.add_argument("--export-rows", type=int, help="lignes de l'export mesuré")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="… au plus, en XLSX")
    parser.add_argument("--export-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(int(args.export_child[0]), args.export_child[1])
        return
    people = args.people or int(FULL_PEOPLE * args.scale)
    passes = args.passes or int(FULL_PASSES * args.scale)
    programme_count = args.programmes or FULL_PROGRAMMES
    export_rows = args.export_rows or int(1_000_000 * args.scale)
    xlsx_rows = min(export_rows, args.xlsx_rows)

    recreate_database()
    try:
        import django

        django.setup()
        from datetime import date

        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's host is allowed

        call_command("migrate", verbosity=0)
        print(
            f"Jeu de données : {people:,} personnes, {passes:,} pass, ".replace(",", "\u202f")
            + f"{programme_count} programmes (PostgreSQL, base bench_stats)"
        )
        start = time.perf_counter()
        programme, member, token = seed(people, passes, programme_count)
        print(f"  {'total':<22} {'':>12}        {time.perf_counter() - start:7.1f} s")

        api = Client(headers={"Authorization": f"Bearer {token}"})
        web = Client()
        web.force_login(member)
        period = ("2026-03-01", "2026-08-31")
        whole = (date(2000, 1, 1), date(2100, 12, 31))

        def get(client, url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        rows = []
        api_whole, api_body = timed(lambda: get(api, "/api/v1/stats").json(), args.rounds)
        sql_whole, sql_body = timed(lambda: hand_sql(programme.pk, *whole), args.rounds)
        rows.append(("GET /api/v1/stats (tout le programme)", api_whole, sql_whole))
        differences = check_same_figures(api_body, sql_body)
        api_period, api_period_body = timed(
            lambda: get(api, f"/api/v1/stats?from={period[0]}&to={period[1]}").json(), args.rounds
        )
        sql_period, sql_period_body = timed(
            lambda: hand_sql(programme.pk, date(2026, 3, 1), date(2026, 8, 31)), args.rounds
        )
        rows.append(("GET /api/v1/stats (mars à août)", api_period, sql_period))
        differences += check_same_figures(api_period_body, sql_period_body)
        page, _ = timed(lambda: get(web, args.page), args.rounds)
        rows.append((f"page {args.page}", page, sql_whole))

        print()
        print(
            f"{'mesure (médiane de ' + str(args.rounds) + ')':<40} {'passnum':>10} "
            f"{'SQL à la main':>14} {'rapport':>8}"
        )
        for label, measured, baseline in rows:
            print(
                f"{label:<40} {measured * 1000:8.0f} ms {baseline * 1000:11.0f} ms "
                f"{measured / baseline:8.2f}".replace(".", ",")
            )
        if args.explain:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                get(api, "/api/v1/stats")
            for query in queries:
                print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:300]}")
        print()
        print(
            "Mêmes chiffres que le SQL écrit à la main : "
            + ("oui" if not differences else "NON (" + ", ".join(differences) + ")")
        )
        print(
            f"Programme mesuré : {api_body['checkbooks']['prescribed']:,} chéquiers, "
            f"{sum(api_body['passes'].values()):,} pass, {api_body['used']['passes']:,} "
            "pass utilisés".replace(",", "\u202f")
        )

        print()
        start = time.perf_counter()
        big = seed_export_programme(export_rows, "Programme de l'export CSV")
        small = seed_export_programme(xlsx_rows, "Programme de l'export XLSX")
        print(f"Export des pass (stock préparé en {time.perf_counter() - start:.1f} s) :")
        print(
            f"{'format':<8} {'lignes':>12} {'durée':>9} {'lignes/s':>10} {'RSS avant':>10} "
            f"{'RSS pic':>9}"
        )
        for programme_id, fmt in ((big.pk, "csv"), (small.pk, "xlsx")):
            rows, seconds, before, peak = measure_export(programme_id, fmt)
            print(
                f"{fmt:<8} {rows:>12,} {seconds:>7.1f} s {rows / seconds:>10,.0f} "
                f"{before:>6.0f} Mio {peak:>5.0f} Mio".replace(",", "\u202f")
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(drop_only=True)


if __name__ == "__main__":
    main()
