"""Every form of the site, filled with anything, never answers a 500.

For each role — and for a visitor, and for a provider not yet accredited — the pages are crawled
from the dashboard and their links; each ``<form>`` is read from the HTML (action, method,
fields, their choices and what they show), then submitted with values Hypothesis generates for
each field: choices of the form, unicode, « ² » and other digits ``int()`` refuses, numbers
beyond 64 bits, control characters, very long strings, impossible dates, nothing at all. A new
form is covered as soon as a page shows it; no field is listed here. Each page whose address
holds an id is also asked for with an id beyond 64 bits: 404.

Two phases per form: each field in turn (and each parameter a view reads without showing it)
gets each of a few values known to break parsers, the others staying plausible; then random
submissions change up to three fields, posted and sent as a query string. Each submission runs
in a savepoint rolled back afterwards: every example starts from the same scenario
(``tests.scenario``).
"""

import html
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from passnum.organisations.enums import OrganisationKind
from tests.factories import PASSWORD
from tests.scenario import build_scenario
from tests.statements.factories import PROVIDER_BIC, PROVIDER_IBAN

UNACCREDITED = "unaccredited"  # a provider whose accreditation is still to request
VISITORS = [None, *OrganisationKind, UNACCREDITED]
MAX_PAGES = 80  # per visitor
# Random submissions per form, on top of the sweep; PASSNUM_PROPERTY_EXAMPLES=20 multiplies
# them, for a longer search.
RANDOM_EXAMPLES = 4 * int(os.environ.get("PASSNUM_PROPERTY_EXAMPLES", "1"))
CSRF = "csrfmiddlewaretoken"
ID_IN_PATH = re.compile(r"/[0-9]+/")
# Not crawled: files (PDF, CSV, SEPA) hold no form; the API and the admin have their own tests.
SKIPPED = ("/static/", "/api/", "/admin/", "/pdf/", "/csv/", ".csv", "/virement-sepa/")


# --- Reading the forms of a page --------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input's type, « select », « textarea »
    choices: list = field(default_factory=list)  # the values offered
    shown: list = field(default_factory=list)  # what the browser would send as it is
    multiple: bool = False


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: dict = field(default_factory=dict)

    @property
    def key(self):
        """One form per view and set of fields (« deactivate » for each member is one)."""
        return (self.method, resolve(self.action).url_name, tuple(sorted(self.fields)))

    def __str__(self):
        return f"{self.method} {self.action} (page {self.page})"


class PageParser(HTMLParser):
    """The links and the forms of a page."""

    def __init__(self, url):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links, self.forms = [], []
        self.form = self.select = self.textarea = None

    def add(self, name, kind, value=None, *, multiple=False, sent=False):
        if not name or self.form is None:
            return
        found = self.form.fields.setdefault(name, Field(name, kind, multiple=multiple))
        if kind == "checkbox" and found.choices:
            found.multiple = True
        if value is not None and value not in found.choices:
            found.choices.append(value)
        if sent and value is not None:
            found.shown.append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.url, attrs["href"]))
        elif tag == "form":
            action = urljoin(self.url, attrs.get("action") or self.url)
            method = (attrs.get("method") or "get").upper()
            self.form = Form(self.url, urlsplit(action).path, method)
            self.forms.append(self.form)
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset") and not attrs.get("name"):
                return
            checkable = kind in ("checkbox", "radio")
            value = attrs.get("value", "on" if checkable else "")
            sent = "checked" in attrs if checkable else bool(value)
            self.add(attrs.get("name"), kind, value, sent=sent)
        elif tag == "button" and attrs.get("name"):
            self.add(attrs["name"], "submit", attrs.get("value", ""))
        elif tag == "select":
            self.select = attrs.get("name")
            self.add(self.select, "select", multiple="multiple" in attrs)
        elif tag == "option" and self.select:
            self.add(self.select, "select", attrs.get("value", ""), sent="selected" in attrs)
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.add(self.textarea, "textarea")

    def handle_data(self, data):
        if self.textarea and data.strip():
            self.add(self.textarea, "textarea", data.strip(), sent=True)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def crawl(client, start: list[str]) -> list[Form]:
    """The distinct forms of the pages reachable from ``start`` (same site, GET, ≤ MAX_PAGES)."""
    seen, queue, forms = set(), list(start), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or any(part in url for part in SKIPPED) or not path.startswith("/"):
            continue
        seen.add(path)
        response = client.get(url, follow=True)
        assert response.status_code < 500, url
        beyond = ID_IN_PATH.sub(f"/{2**64}/", path)  # an id no database integer holds
        if beyond != path:
            assert client.get(beyond).status_code == 404, beyond
        if "text/html" not in response.get("Content-Type", ""):
            continue
        final = response.request["PATH_INFO"]
        if response.request.get("QUERY_STRING"):
            final += "?" + response.request["QUERY_STRING"]
        parser = PageParser(urljoin("http://testserver", final))
        parser.feed(response.content.decode())
        for form in parser.forms:
            forms.setdefault(form.key, form)
        queue += [link for link in parser.links if urlsplit(link).netloc in ("", "testserver")]
    return list(forms.values())


# --- What a person (or a robot) may type -------------------------------------------------------

# Each field gets each of these in turn.
BREAKERS = ["²", str(2**64), "\x00", "x" * 3000]
# … and, by the field's type, these too.
BREAKERS_BY_KIND = {
    "date": ["0001-01-01", "9999-12-31", "2026-02-30"],
    # valid for Django (up to 320 characters), longer than an email column (254)
    "email": ["j" * 64 + "@" + "d" * 60 + ".d" * 86 + ".fr", "a@b"],
    # three letters each once normalised: a name that grows past its column
    "text": ["ﬃ" * 40],
}
NASTY = [
    *BREAKERS,
    "",
    " ",
    "-1",
    "2026-02-30",
    "ﬃ" * 40,
    "0",
    "1²",
    "٣",
    "１２",
    "½",
    "1.5",
    "1e309",
    "NaN",
    "-0",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    "9" * 40,
    "a\x00b",
    "\x01\x02\x1b[31m",
    "\u202ePDF.exe",
    "é" * 300,
    "30/02/2026",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "31/12/99999",
    "K7QM-9T2D-XH47",
    "jeanne@exemple.fr",
    "a@" + "b" * 300 + ".fr",
    "FR76 3000 6000 0112 3456 7890 189",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7*7 }}",
    "%s%s%n",
    "../../etc/passwd",
    "😀👩🏽‍💻",
    "مريم",
]
# Names no form shows but views read: numbered fields, query parameters.
UNSHOWN = ["code_²", f"code_{2**64}", "code_0", "nombre", "page", "parcours", "duplicate"]

texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
)


def value_of(form_field: Field):
    if form_field.kind == "file":
        return st.binary(max_size=2000).map(lambda content: SimpleUploadedFile("f.csv", content))
    offered = [st.sampled_from(form_field.choices)] if form_field.choices else []
    one = st.one_of(*offered, texts)
    return st.lists(one, max_size=4) if form_field.multiple else one


def plausible(form_field: Field, scenario):
    """What a careful person would send: what the page shows, else a likely value. A form whose
    other fields are right lets a wrong one reach the rules behind the first checks."""
    if form_field.shown:
        return form_field.shown if form_field.multiple else form_field.shown[0]
    offered = [c for c in form_field.choices if c]
    if offered:
        return offered[:1] if form_field.multiple else offered[0]
    likely_by_name = {
        "commune": "Mende",
        "code": scenario.codes[0],
        "iban": PROVIDER_IBAN,
        "bic": PROVIDER_BIC,
        "latitude": "44.51805",
        "longitude": "3.50114",
        "hours": "2",
        "username": scenario.actors[OrganisationKind.REFERRER].user.username,
        "password": PASSWORD,
    }
    for part, value in likely_by_name.items():
        if part in form_field.name:
            return value
    likely_by_kind = {
        "date": "1980-05-17",
        "email": "jeanne.durand@exemple.fr",
        "tel": "04 66 00 00 00",
        "number": "1",
        "password": "Un mot de passe assez long 2026",
    }
    return likely_by_kind.get(form_field.kind, "Texte saisi")


def baseline(form: Form, scenario) -> dict:
    return {name: plausible(f, scenario) for name, f in form.fields.items()}


@st.composite
def submissions(draw, form: Form, scenario):
    """The plausible values of ``form`` with up to three fields changed (any value, or left
    out), and sometimes a parameter no form shows."""
    data = baseline(form, scenario)
    names = [name for name in form.fields if name != CSRF]
    if names:
        for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=3)):
            value = draw(st.one_of(st.none(), value_of(form.fields[name])))
            if value is None:
                del data[name]
            else:
                data[name] = value
    data.update(draw(st.dictionaries(st.sampled_from(UNSHOWN), texts, max_size=2)))
    return data


# Fields whose text the server parses itself; a choice is checked against its list (and gets
# any value in the random phase).
TYPED = {"text", "textarea", "hidden", "date", "email", "tel", "number", "password", "search"}


def sweep(form: Form, scenario) -> list[dict]:
    """Each typed field with each breaker, the others plausible; then every unshown parameter
    at once, with « ² » and with a number beyond 64 bits."""
    plain = baseline(form, scenario)
    names = [name for name, f in form.fields.items() if name != CSRF and f.kind in TYPED]
    return [
        {**plain, name: value}
        for name in names
        for value in BREAKERS + BREAKERS_BY_KIND.get(form.fields[name].kind, [])
    ] + [{**plain, **dict.fromkeys(UNSHOWN, value)} for value in ("²", str(2**64))]


# --- The test ---------------------------------------------------------------------------------


@pytest.fixture
def scenario(programme):
    return build_scenario(programme)


def client_of(scenario, visitor) -> Client:
    client = Client()
    if visitor == UNACCREDITED:
        client.force_login(scenario.unaccredited.user)
    elif visitor is not None:
        client.force_login(scenario.actors[visitor].user)
    return client


def start_pages(scenario, visitor) -> list[str]:
    if visitor is not None:
        return [reverse("www:dashboard"), reverse("www:organisation")]
    user = scenario.actors[OrganisationKind.REFERRER].user
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return [
        reverse("www:home"),
        reverse("www:check_passes"),
        reverse("www:where"),
        reverse("accounts:login"),
        reverse("accounts:password_reset"),
        reverse("accounts:password_reset_confirm", args=[uid, token]),
    ]


def is_public(form: Form) -> bool:
    """A form a visitor reaches too: it is tried once, without logging in."""
    return Client().get(form.action).status_code == 200


def visitor_of(client) -> str:
    user = client.session.get("_auth_user_id")
    return f"utilisateur {user}" if user else "visiteur"


def shorter(data: dict) -> dict:
    return {
        k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in data.items()
    }


def fill_in(client, form: Form, scenario, *, swept_already=False) -> None:
    """Submit ``form`` again and again as ``client``; never a 500. A form whose fields were
    swept on another page (a place added or changed) only gets the random submissions."""
    known = KNOWN_SERVER_ERRORS.get(resolve(form.action).url_name, ())

    def send(method, data):
        data = {k: v for k, v in data.items() if k not in known}
        if method == "GET":
            data = {k: v for k, v in data.items() if not hasattr(v, "read")}
        note(f"{form} as {visitor_of(client)}, {method} {shorter(data)}")
        response = (client.post if method == "POST" else client.get)(form.action, data)
        assert response.status_code < 500, (str(form), method, shorter(data))

    swept = [] if swept_already else sweep(form, scenario)

    @settings(
        max_examples=len(swept) + RANDOM_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=submissions(form, scenario), swept=st.just(False))
    def submit(data, swept):
        cookies = client.cookies  # a logout, a change of organisation: undone below
        client.cookies = type(cookies)(cookies)
        try:
            with transaction.atomic():
                if swept:  # the sweep: the form's own method
                    send(form.method, data)
                else:
                    send("POST", data)
                    send("GET", data)
                transaction.set_rollback(True)
        finally:
            client.cookies = cookies

    for data in swept:
        submit = example(data=data, swept=True)(submit)
    submit()


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda visitor: visitor or "anonymous")
def test_no_form_answers_a_500(scenario, visitor):
    client = client_of(scenario, visitor)
    forms = crawl(client, start_pages(scenario, visitor))
    if visitor is not None:
        forms = [form for form in forms if not is_public(form)]
    assert forms, "aucun formulaire trouvé"
    swept_fields = set()
    for form in forms:
        fields = (form.method, tuple(sorted(form.fields)))
        fill_in(client, form, scenario, swept_already=fields in swept_fields)
        swept_fields.add(fields)


# --- Server errors found here, in code another change owns -------------------------------------

# url name → parameters left out of the submissions until the defect is fixed; each has a test
# below, expected to fail, that passes (and then fails the run: strict) once it is.
KNOWN_SERVER_ERRORS: dict[str, tuple[str, ...]] = {}


@pytest.mark.parametrize("value", ["²", "1²", "9" * 30])
def test_a_duplicate_answer_that_is_not_an_id_is_explained(make_actor, communes, value):
    client = Client()
    client.force_login(make_actor(OrganisationKind.REFERRER).user)
    data = {
        "first_name": "Jeanne",
        "last_name": "Durand",
        "birth_date": "1980-05-17",
        "commune": "Mende",
        "notice_given_on": timezone.localdate().isoformat(),
        "notice_given": "on",
        "needs": ["outils_quotidien"],
        "duplicate": value,
    }
    response = client.post(reverse("www:referral_new"), data)
    assert response.status_code == 200
    assert "Choisissez l'une des personnes proposées." in html.unescape(response.content.decode())
