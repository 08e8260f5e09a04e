"""``passnum demo`` starts one email worker beside the development server, once the server's
port is bound: a child process, stopped with the server."""

import signal
import subprocess
import sys
from io import StringIO

import pytest

from passnum.demo.management.commands import demo


class FakeWorker:
    """A child process that records how it is stopped."""

    started: list = []
    hangs = False

    def __init__(self, args):
        self.args, self.pid, self.calls = args, 4242, []
        FakeWorker.started.append(self)

    def terminate(self):
        self.calls.append("terminate")

    def wait(self, timeout=None):
        self.calls.append(("wait", timeout))
        if timeout is not None and self.hangs:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return 0

    def kill(self):
        self.calls.append("kill")


@pytest.fixture
def served(monkeypatch):
    """The development server binds its port (the worker starts), then the developer stops
    it (Ctrl+C)."""
    FakeWorker.started = []
    commands = []

    def call_command(command, *args, **kwargs):
        commands.append((command, args, kwargs))
        if isinstance(command, demo.DemoServer):
            command.start_worker()  # what on_bind does once the port is bound
            raise KeyboardInterrupt

    monkeypatch.setattr(demo.subprocess, "Popen", FakeWorker)
    monkeypatch.setattr(demo, "call_command", call_command)
    return commands


def test_the_worker_runs_beside_the_server_and_stops_with_it(served):
    out = StringIO()
    with pytest.raises(KeyboardInterrupt):
        demo.Command(stdout=out).serve("127.0.0.1:8000")

    (worker,) = FakeWorker.started
    assert worker.args == [sys.executable, "-m", "passnum", "worker"]
    ((server, args, kwargs),) = served
    assert isinstance(server, demo.DemoServer)
    assert (args, kwargs) == (("127.0.0.1:8000",), {"use_reloader": False})
    assert worker.calls == ["terminate", ("wait", 10)]
    assert (
        "Processus d'envoi des courriels lancé à côté du serveur (passnum worker, pid 4242) : "
        "les courriels s'affichent dans cette console ; il s'arrête avec le serveur."
        in out.getvalue()
    )
    assert signal.getsignal(signal.SIGTERM) is not demo.leave  # given back


def test_a_worker_that_does_not_stop_is_killed(served, monkeypatch):
    monkeypatch.setattr(FakeWorker, "hangs", True)
    with pytest.raises(KeyboardInterrupt):
        demo.Command(stdout=StringIO()).serve("127.0.0.1:8000")
    (worker,) = FakeWorker.started
    assert worker.calls == ["terminate", ("wait", 10), "kill", ("wait", None)]


def test_sigterm_stops_the_server_and_its_worker(monkeypatch):
    """Stopped by SIGTERM (an editor's stop button), the server still stops its worker."""
    FakeWorker.started = []
    monkeypatch.setattr(demo.subprocess, "Popen", FakeWorker)

    def call_command(server, *args, **kwargs):
        server.start_worker()
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)

    monkeypatch.setattr(demo, "call_command", call_command)
    with pytest.raises(SystemExit):
        demo.Command(stdout=StringIO()).serve("127.0.0.1:8000")
    assert FakeWorker.started[0].calls == ["terminate", ("wait", 10)]


def test_no_worker_when_the_port_is_taken(monkeypatch):
    """runserver leaves before binding (os._exit): no worker was started, none is left."""
    FakeWorker.started = []
    monkeypatch.setattr(demo.subprocess, "Popen", FakeWorker)
    monkeypatch.setattr(demo, "call_command", lambda *a, **k: None)
    demo.Command(stdout=StringIO()).serve("127.0.0.1:8000")
    assert not FakeWorker.started


def test_the_demo_serves_with_its_worker(served, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(demo, "load_demo", lambda *, scale: type("P", (), {"name": "Démo"})())
    out = StringIO()
    with pytest.raises(KeyboardInterrupt):
        demo.Command(stdout=out).handle(no_serve=False, addrport="0.0.0.0:9000", scale="0")
    assert [c if isinstance(c, str) else "server" for c, *_ in served] == [
        "migrate",
        "flush",
        "server",
    ]
    assert len(FakeWorker.started) == 1
    assert "Processus d'envoi des courriels lancé" in out.getvalue()


def test_no_serve_no_worker(served, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(demo, "load_demo", lambda *, scale: type("P", (), {"name": "Démo"})())
    demo.Command(stdout=StringIO()).handle(no_serve=True, addrport="127.0.0.1:8000", scale="0")
    assert not FakeWorker.started
