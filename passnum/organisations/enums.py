from django.db import models


class OrganisationKind(models.TextChoices):
    """The kind of an organisation decides the role of its members."""

    REFERRER = "referrer", "Orienteur"
    DEPARTMENT = "department", "Département — service instructeur"
    PROVIDER = "provider", "Structure de médiation numérique"
    OPERATOR = "operator", "Pilote"
    # A co-funder (the State, a Région…): reads the indicators and reports of its programme.
    FUNDER = "funder", "Financeur"
