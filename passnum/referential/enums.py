"""The vocabularies of the programme (docs/api.md « Référentiel »): codes are stable API values,
labels are French."""

from django.db import models


class Public(models.TextChoices):
    """Priority publics; several may apply to one person."""

    RSA = "rsa", "Bénéficiaire du rSa"
    DEMANDEUR_EMPLOI_PEU_QUALIFIE = (
        "demandeur_emploi_peu_qualifie",
        "Demandeur d'emploi sans diplôme ou de niveau inférieur au baccalauréat (PIC)",
    )
    JEUNE_DECROCHEUR = (
        "jeune_decrocheur",
        "Jeune sorti tôt des études, en difficulté d'accès à l'emploi (PIC)",
    )
    SENIOR = "senior", "Personne de plus de 60 ans"
    JEUNE = "jeune", "Jeune de 16 à 25 ans"
    PRIMO_ARRIVANT = "primo_arrivant", "Étranger primo-arrivant"

    @property
    def tier(self) -> int:
        return PUBLIC_TIERS[self]


PUBLIC_TIERS = {
    Public.RSA: 1,
    Public.DEMANDEUR_EMPLOI_PEU_QUALIFIE: 1,
    Public.JEUNE_DECROCHEUR: 1,
    Public.SENIOR: 2,
    Public.JEUNE: 2,
    Public.PRIMO_ARRIVANT: 2,
}
# Tier of a person with none of the priority publics (« hors public prioritaire »).
TIER_OUTSIDE_PRIORITY = 3
# The PIC publics, whose share is a reported indicator.
PIC_PUBLICS = frozenset({Public.DEMANDEUR_EMPLOI_PEU_QUALIFIE, Public.JEUNE_DECROCHEUR})


def tier_of(publics) -> int:
    """The priority tier of a person: the best tier among their publics, 3 with none."""
    return min((Public(code).tier for code in publics), default=TIER_OUTSIDE_PRIORITY)


class Service(models.TextChoices):
    """Services of the national standard of digital mediation places."""

    DEMARCHES_ADMINISTRATIVES = "demarches_administratives", "Aide aux démarches administratives"
    OUTILS_QUOTIDIEN = "outils_quotidien", "Maîtrise des outils numériques du quotidien"
    INSERTION_PROFESSIONNELLE = (
        "insertion_professionnelle",
        "Insertion professionnelle via le numérique",
    )
    SECURITE = "securite", "Utilisation sécurisée du numérique"
    PARENTALITE = "parentalite", "Parentalité et éducation avec le numérique"
    LOISIRS_CREATION = "loisirs_creation", "Loisirs et créations numériques"
    COMPREHENSION = "comprehension", "Compréhension du monde numérique"
    ACCES_MATERIEL = "acces_materiel", "Accès internet et matériel informatique"
