from django import template

register = template.Library()


def format_thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


@register.filter
def euros(cents) -> str:
    """1234500 → « 12 345 € »; 1050 → « 10,50 € » (narrow no-break spaces, French style)."""
    if cents is None or cents == "":
        return ""
    cents = int(cents)
    sign = "−" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    text = format_thousands(units)
    if rest:
        text += f",{rest:02d}"
    return f"{sign}{text}\u00a0€"


@register.filter
def number(value) -> str:
    return format_thousands(int(value))
