import re
import unicodedata


def normalise_name(value: str) -> str:
    """Lower-case, accent-free, punctuation-free form of a name, for matching.

    « Saint-Chély-d'Apcher », « ST CHELY D APCHER » and « saint chely d’apcher » all give
    « saint chely d apcher ».
    """
    value = unicodedata.normalize("NFKD", value)
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    value = re.sub(r"[^a-z0-9]+", " ", value).strip()
    value = re.sub(r"^ste? ", lambda m: "sainte " if m.group(0) == "ste " else "saint ", value)
    value = re.sub(r" ste? ", lambda m: " sainte " if m.group(0) == " ste " else " saint ", value)
    return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell that a spreadsheet will not run as a formula (« =HYPERLINK(…) » typed as a
    name): text starting with = + - @ gets a leading apostrophe. Numbers and phone numbers
    (« +33466320000 », « -3.5 ») pass unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not re.fullmatch(r"[+-]?[0-9][0-9 .()]*", value)
    ):
        return "'" + value
    return value


# Anything shaped like an email address, inside an error message or a log line.
EMAIL_ADDRESS = re.compile(r"[^\s@<>()\[\]{}'\",;:]+@[^\s@<>()\[\]{}'\",;:]+")


def without_email_addresses(text: str) -> str:
    """``text`` with every email address replaced by « [adresse masquée] »: for log lines and
    stored error messages (a mail server's refusal often quotes the recipient)."""
    return EMAIL_ADDRESS.sub("[adresse masquée]", text)


def mask_email(address: str) -> str:
    """« jeanne.durand@exemple.fr » → « j•••@exemple.fr »: enough to tell two addresses apart
    in a list, not enough to read whose it is."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "•••"
    return f"{local[0]}•••@{domain}"
