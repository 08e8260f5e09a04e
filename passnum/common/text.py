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
