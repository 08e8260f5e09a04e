"""Benchmark: redemption of passes over the API, by concurrent clients, on PostgreSQL.

    .venv/bin/python bench/redeem.py [--passes 2000] [--rounds 3] [--clients 16] [--reused 0.1]

PostgreSQL only (the concurrency it measures is PostgreSQL's): the server is given by
``BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``). The script
drops and creates the throw-away database ``bench_redeem``, migrates it, seeds one programme
with N × rounds assigned passes (checkbooks of 5) and one accredited provider with an API token,
starts gunicorn on it (3 sync workers by default, as docs/operations.md recommends), then, in each
round, drives the clients:

- ``POST /api/v1/redemptions`` with one code each, N passes once each, plus a share of requests
  (10 %) repeating an already-used code (expected: 201 for each pass, 409 for each repeat);
- then ``GET /api/v1/referential`` with the same token (a bare authenticated JSON endpoint of
  the same server), as many requests, to compare.

It prints each round, then the medians of the rounds (throughput, p50/p99 latency, ratio), the
201/409 counts, the number of passes with more than one live redemption (must be 0) and the CPU
spent per request by gunicorn, PostgreSQL and the clients (read in Linux's /proc), as a French
table, and drops the database at the end (``--keep`` keeps it). It asserts nothing about speed;
the target is a ratio ≥ 0,5 and a p99 ≤ 50 ms at 16 clients. A shared machine's speed varies
from one minute to the next: the rounds alternate both endpoints so that each ratio compares
them at the same moment.
"""

import argparse
import http.client
import json
import os
import queue
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "bench_redeem"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
SERVICES = ["outils_quotidien"]


def fail(message: str) -> None:
    print(f"Erreur : {message}", file=sys.stderr)
    sys.exit(2)


def database_urls() -> tuple[str, str]:
    """(the server's maintenance database, the bench database), refusing anything but
    PostgreSQL."""
    server = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_SERVER)
    parts = urlsplit(server)
    if parts.scheme not in ("postgres", "postgresql"):
        fail(
            "ce banc d'essai ne tourne que sur PostgreSQL (BENCH_POSTGRES_URL=postgres://…) ; "
            f"reçu « {parts.scheme or server} »."
        )
    bench = urlunsplit(parts._replace(path=f"/{DATABASE}"))
    return server, bench


def recreate_database(server: str) -> None:
    import psycopg

    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    except psycopg.OperationalError as exc:
        fail(f"PostgreSQL injoignable ({server}) : {exc}".strip())


def drop_database(server: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def server_environment(bench_url: str) -> dict[str, str]:
    """What both this process (seeding) and gunicorn run with: the same keys, the same base."""
    return {
        "DJANGO_SETTINGS_MODULE": "passnum.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": bench_url,
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }


@dataclass
class Seed:
    codes: list[str]
    token: str
    programme_id: int


def seed(pass_count: int) -> Seed:
    """One programme, ``pass_count`` assigned passes in checkbooks of 5, one accredited
    provider with an API token; through the services, as in production."""
    from django.core.management import call_command
    from django.test import RequestFactory
    from django.utils import timezone

    from passnum.accounts.services import issue_token
    from passnum.organisations.actor import Actor
    from passnum.passes import keys
    from passnum.passes.models import Pass
    from passnum.passes.services import generate_passes
    from passnum.referrals.services import prescribe
    from tests.factories import PASSWORD as FACTORY_PASSWORD
    from tests.factories import (
        AccreditationFactory,
        MembershipFactory,
        OrganisationFactory,
        ProgrammeFactory,
        ReferralFactory,
        UserFactory,
    )

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    size = 5
    checkbooks = -(-pass_count // size)
    value = 10_00
    programme = ProgrammeFactory(
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=730),
        pass_value_cents=value,
        passes_per_checkbook=size,
        envelope_cents=checkbooks * size * value * 2,
        engineering_cents=0,
    )
    department = Actor(
        MembershipFactory(organisation=OrganisationFactory(programme=programme, department=True))
    )
    referrer = OrganisationFactory(programme=programme, referrer=True)
    generate_passes(programme, checkbooks * size, today=today)
    for _ in range(checkbooks):
        referral = ReferralFactory(
            beneficiary__programme=programme,
            organisation=referrer,
            created_by=department.user,
        )
        prescribe(department, referral, today=today)
    provider = OrganisationFactory(programme=programme, provider=True, name="Structure du banc")
    AccreditationFactory(organisation=provider)
    user = UserFactory(username="banc-structure")  # password: tests.factories.PASSWORD
    MembershipFactory(user=user, organisation=provider)
    request = RequestFactory().post("/api/v1/auth/token", REMOTE_ADDR="127.0.0.1")
    key, _ = issue_token(request, user.username, FACTORY_PASSWORD)
    encrypted = Pass.objects.filter(programme=programme, status="assigned").values_list(
        "code_encrypted", flat=True
    )
    codes = [keys.decrypt(e) for e in encrypted.order_by("serial")[:pass_count]]
    return Seed(codes=codes, token=key, programme_id=programme.pk)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict[str, str], port: int, log, workers: int = 2, threads: int = 4, worker_class="gthread"
) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "passnum.wsgi:application",
        "-w",
        str(workers),
        "-k",
        worker_class,
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn s'est arrêté au démarrage")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"/healthz ne répond pas après {timeout:.0f} s")


@dataclass
class Run:
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    network_errors: int = 0
    samples: list[str] = field(default_factory=list)  # a few unexpected answers
    cpu: dict[str, float] = field(default_factory=dict)  # seconds per request, by process

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def drive(port: int, clients: int, requests: list[tuple[str, str, bytes | None]], token: str):
    """Send ``requests`` (method, path, body) from ``clients`` threads, each over one
    keep-alive connection; returns a Run."""
    work: queue.Queue = queue.Queue()
    for item in requests:
        work.put(item)
    run = Run()
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    start_gate = threading.Barrier(clients + 1)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies, statuses, samples, network_errors = [], {}, [], 0
        start_gate.wait()
        while True:
            try:
                method, path, body = work.get_nowait()
            except queue.Empty:
                break
            began = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                network_errors += 1
                if len(samples) < 5:
                    samples.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies.append(time.perf_counter() - began)
            statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.status not in (200, 201, 409) and len(samples) < 5:
                samples.append(f"{response.status} {payload[:200]!r}")
        conn.close()
        with lock:
            run.latencies.extend(latencies)
            run.samples.extend(samples)
            run.network_errors += network_errors
            for status, n in statuses.items():
                run.statuses[status] = run.statuses.get(status, 0) + n

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    run.elapsed = time.perf_counter() - began
    return run


def redemption_requests(codes: list[str], reused_share: float, today: str):
    """Every code once, and after every ``1 / reused_share`` of them a repeat of a code sent
    well before (already redeemed by then, or being redeemed concurrently: exactly one of the
    two may succeed)."""

    def body(code):
        return json.dumps(
            {"codes": [code], "date": today, "duration_minutes": 60, "services": SERVICES}
        ).encode()

    every = max(1, round(1 / reused_share)) if reused_share > 0 else 0
    requests, repeats = [], 0
    for index, code in enumerate(codes):
        requests.append(("POST", "/api/v1/redemptions", body(code)))
        if every and (index + 1) % every == 0:
            requests.append(("POST", "/api/v1/redemptions", body(codes[index // 2])))
            repeats += 1
    return requests, repeats


def double_redemptions(programme_id: int) -> tuple[int, int]:
    """(passes with more than one live redemption, passes redeemed), read from the database."""
    from django.db import connection
    from django.db.models import Count

    from passnum.passes.models import Pass
    from passnum.redemptions.models import Redemption

    connection.close()  # a fresh connection: see every commit of the server
    doubles = (
        Redemption.objects.filter(programme_id=programme_id, undone_at__isnull=True)
        .values("pass_obj")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    redeemed = Pass.objects.filter(programme_id=programme_id, status="redeemed").count()
    return doubles, redeemed


def cpu_ticks() -> dict[tuple[int, str], int]:
    """CPU time (ticks, user + system) of every process, by (pid, name): Linux's /proc."""
    ticks = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/comm") as comm, open(f"/proc/{entry.name}/stat") as st:
                name = comm.read().strip()
                fields = st.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        ticks[(int(entry.name), name)] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_per_request(before, after, count: int) -> dict[str, float]:
    """Seconds of CPU per request over a phase, by who spent them: gunicorn, PostgreSQL, these
    clients, the rest of the machine."""
    spent: dict[str, int] = {}
    for (pid, name), ticks in after.items():
        who = (
            "gunicorn"
            if name.startswith("gunicorn")
            else "PostgreSQL"
            if name.startswith("postgres")
            else "clients"
            if pid == os.getpid()
            else "autres"
        )
        spent[who] = spent.get(who, 0) + ticks - before.get((pid, name), 0)
    per_tick = 1 / os.sysconf("SC_CLK_TCK")
    return {who: n * per_tick / count for who, n in spent.items()} if count else {}


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.1f}".replace(".", ",") + " ms"


def decimal(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value:>14}" for label, value in rows)


def measure(args, env, server_url, log):
    """Seed, serve, then ``args.rounds`` rounds of (redemptions, bare endpoint); always stops
    gunicorn and drops the database (unless --keep)."""
    from django.db import connection
    from django.utils import timezone

    process = None
    rounds = []
    try:
        began = time.perf_counter()
        data = seed(args.passes * args.rounds)
        print(
            f"Préparation : {len(data.codes)} pass attribués en chéquiers de 5, une structure "
            f"habilitée ({time.perf_counter() - began:.1f} s)"
        )
        connection.close()
        port = args.port or free_port()
        process = start_gunicorn(env, port, log, args.workers, args.threads, args.worker_class)
        wait_healthy(port, process)
        print(
            f"gunicorn ({args.worker_class}) : {args.workers} processus × {args.threads} fil(s) "
            f"sur 127.0.0.1:{port}"
        )

        today = timezone.localdate().isoformat()
        bare_request = ("GET", "/api/v1/referential", None)
        # A short warm-up on both endpoints (connections, imports) before measuring.
        drive(port, args.clients, [bare_request] * 64, data.token)
        repeats = 0
        for number in range(args.rounds):
            codes = data.codes[number * args.passes : (number + 1) * args.passes]
            requests, repeated = redemption_requests(codes, args.reused, today)
            repeats += repeated
            ticks = cpu_ticks()
            redeem = drive(port, args.clients, requests, data.token)
            middle = cpu_ticks()
            bare = drive(port, args.clients, [bare_request] * len(requests), data.token)
            redeem.cpu = cpu_per_request(ticks, middle, redeem.count)
            bare.cpu = cpu_per_request(middle, cpu_ticks(), bare.count)
            rounds.append((redeem, bare))
            print(f"Tour {number + 1} : {summary(redeem, bare)}")
        doubles, redeemed = double_redemptions(data.programme_id)
    except RuntimeError as exc:
        log.seek(0)
        print(log.read()[-3000:], file=sys.stderr)
        fail(str(exc))
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        connection.close()
        if not args.keep:
            drop_database(server_url)

    return rounds, repeats, doubles, redeemed


def ratio(redeem: "Run", bare: "Run") -> float:
    return redeem.throughput / bare.throughput if bare.throughput else 0.0


def summary(redeem: "Run", bare: "Run") -> str:
    return (
        f"encaissement {decimal(redeem.throughput)} req/s, p50 "
        f"{milliseconds(redeem.percentile(50))}, p99 {milliseconds(redeem.percentile(99))} ; "
        f"referential {decimal(bare.throughput)} req/s ; ratio {decimal(ratio(redeem, bare), 2)}"
    )


def cpu_line(run: "Run") -> str:
    order = ["gunicorn", "PostgreSQL", "clients", "autres"]
    parts = [f"{who} {milliseconds(run.cpu[who])}" for who in order if who in run.cpu]
    return f"{milliseconds(sum(run.cpu.values()))} ({', '.join(parts)})"


def main():
    parser = argparse.ArgumentParser(description="Banc d'essai de l'encaissement des pass.")
    parser.add_argument("--passes", type=int, default=2000, help="pass à encaisser par tour")
    parser.add_argument("--rounds", type=int, default=3, help="tours (médiane retenue)")
    parser.add_argument("--clients", type=int, default=16, help="clients simultanés")
    parser.add_argument("--reused", type=float, default=0.1, help="part de codes déjà utilisés")
    parser.add_argument("--port", type=int, default=0, help="port de gunicorn (0 : libre)")
    # What docs/operations.md recommends: sync workers (one request at a time each, served in
    # arrival order), one more than the cores: the best throughput and the steadiest p99 here.
    parser.add_argument("--workers", type=int, default=3, help="processus gunicorn")
    parser.add_argument("--threads", type=int, default=1, help="fils par processus gunicorn")
    parser.add_argument(
        "--worker-class", default="sync", help="type de processus gunicorn (sync, gthread)"
    )
    parser.add_argument("--keep", action="store_true", help="garder la base bench_redeem")
    args = parser.parse_args()
    if args.passes < 1 or args.rounds < 1 or args.clients < 1 or not 0 <= args.reused < 1:
        fail(
            "--passes, --rounds et --clients doivent être positifs, --reused entre 0 et 1 (exclu)."
        )

    server_url, bench_url = database_urls()
    print(f"Base : {DATABASE} sur {urlsplit(server_url).hostname} (PostgreSQL)")
    recreate_database(server_url)
    env = server_environment(bench_url)
    os.environ.update(env)
    import django

    django.setup()
    with tempfile.NamedTemporaryFile("w+", prefix="bench-redeem-gunicorn-") as log:
        rounds, repeats, doubles, redeemed = measure(args, env, server_url, log)

    redeems = [r for r, _ in rounds]
    bares = [b for _, b in rounds]
    statuses: dict[int, int] = {}
    for run in redeems:
        for status, n in run.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    median_ratio = statistics.median(ratio(r, b) for r, b in rounds)
    median_p99 = statistics.median(r.percentile(99) for r in redeems)

    def median(runs, value) -> float:
        return statistics.median(value(run) for run in runs)

    middle = sorted(rounds, key=lambda pair: ratio(*pair))[len(rounds) // 2]
    print()
    print(
        table(
            [
                ("Clients simultanés", str(args.clients)),
                ("Tours", str(args.rounds)),
                ("Requêtes d'encaissement", str(sum(r.count for r in redeems))),
                ("  dont codes déjà utilisés", str(repeats)),
                ("Réponses 201 (encaissé)", str(statuses.get(201, 0))),
                ("Réponses 409 (déjà encaissé)", str(statuses.get(409, 0))),
                (
                    "Autres réponses",
                    str(sum(n for s, n in statuses.items() if s not in (201, 409))),
                ),
                ("Erreurs réseau", str(sum(r.network_errors for r in redeems + bares))),
                ("Pass encaissés en base", str(redeemed)),
                ("Doubles encaissements", str(doubles)),
                ("Médianes des tours :", ""),
                (
                    "Débit encaissement",
                    f"{decimal(median(redeems, lambda r: r.throughput))} req/s",
                ),
                (
                    "Latence p50 encaissement",
                    milliseconds(median(redeems, lambda r: r.percentile(50))),
                ),
                ("Latence p99 encaissement", milliseconds(median_p99)),
                (
                    "Débit GET /api/v1/referential",
                    f"{decimal(median(bares, lambda r: r.throughput))} req/s",
                ),
                (
                    "Latence p50 referential",
                    milliseconds(median(bares, lambda r: r.percentile(50))),
                ),
                (
                    "Latence p99 referential",
                    milliseconds(median(bares, lambda r: r.percentile(99))),
                ),
                ("Ratio encaissement / referential", decimal(median_ratio, 2)),
            ]
        )
    )
    if middle[0].cpu:
        print("\nCPU par requête (tour médian, toute la machine) :")
        print(f"  encaissement  {cpu_line(middle[0])}")
        print(f"  referential   {cpu_line(middle[1])}")
    verdict = "atteint" if median_ratio >= 0.5 and median_p99 <= 0.05 else "non atteint"
    print(f"\nObjectif (ratio ≥ 0,5 et p99 ≤ 50 ms, médianes des tours) : {verdict}")
    samples = [s for run in redeems + bares for s in run.samples]
    if samples:
        print("Réponses inattendues :", *samples[:5], sep="\n  ")
    if doubles:
        print("ERREUR : des pass ont été encaissés deux fois.", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
