import pytest

from passnum.common.text import mask_email, without_email_addresses


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("jeanne.durand@exemple.fr", "j•••@exemple.fr"),
        ("j@exemple.fr", "j•••@exemple.fr"),
        ("accueil@mission-locale.example", "a•••@mission-locale.example"),
        ("pas-une-adresse", "•••"),
        ("", "•••"),
    ],
)
def test_mask_email(address, masked):
    assert mask_email(address) == masked


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        (
            "SMTPRecipientsRefused: {'jeanne@exemple.fr': (550, b'5.1.1 <jeanne@exemple.fr>')}",
            "SMTPRecipientsRefused: {'[adresse masquée]': (550, b'5.1.1 <[adresse masquée]>')}",
        ),
        (
            "Relais refusé pour a.b+c@d.e.fr, réessayez",
            "Relais refusé pour [adresse masquée], réessayez",
        ),
        ("aucune adresse ici", "aucune adresse ici"),
    ],
)
def test_without_email_addresses(text, cleaned):
    assert without_email_addresses(text) == cleaned
