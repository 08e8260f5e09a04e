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


def file_size(size: int) -> str:
    """512 → « 512 octets »; 2048 → « 2,0 ko »; 3 500 000 → « 3,3 Mo » (powers of 1024)."""
    if size < 1024:
        return f"{size}\u00a0octet{'s' if size > 1 else ''}"
    if size < 1024 * 1024:
        return decimal_comma(size / 1024) + "\u00a0ko"
    return decimal_comma(size / (1024 * 1024)) + "\u00a0Mo"
