"""French number formats for pages, PDFs and emails (no-break spaces, decimal comma)."""


def decimal_comma(value: float, digits: int = 1) -> str:
    """3.24 → « 3,2 »."""
    return f"{value:.{digits}f}".replace(".", ",")


def euros_with_cents(cents: int) -> str:
    """1000 → « 10,00 € »; 123450 → « 1 234,50 € » (no-break spaces, WinAnsi-safe for PDFs)."""
    units, rest = divmod(int(cents), 100)
    grouped = f"{units:,}".replace(",", "\u00a0")
    return f"{grouped},{rest:02d}\u00a0€"


def kilometres(distance: float) -> str:
    """3.24 → « 3,2 km »."""
    return decimal_comma(distance) + "\u00a0km"


def percent(share: float) -> str:
    """0.125 → « 12,5 % »."""
    return decimal_comma(share * 100) + "\u00a0%"
