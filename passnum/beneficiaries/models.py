from django.conf import settings
from django.db import models
from django.db.models import F, Q

from passnum.common.text import normalise_name
from passnum.journal.models import SubjectType, journal_subject

# Length of the search keys of the names (``identity_key``).
SEARCH_KEY_MAX = 100


@journal_subject(SubjectType.BENEFICIARY)
class Beneficiary(models.Model):
    """A person oriented towards the Pass numérique: only the data the job needs."""

    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        verbose_name="programme",
    )
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    search_first_name = models.CharField(max_length=SEARCH_KEY_MAX, editable=False)
    search_last_name = models.CharField(max_length=SEARCH_KEY_MAX, editable=False)
    birth_date = models.DateField("date de naissance")
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="commune de résidence",
    )
    email = models.EmailField("courriel", blank=True, help_text="Pour les rappels seulement.")
    phone = models.CharField(
        "téléphone", max_length=20, blank=True, help_text="Pour les rappels seulement."
    )
    notice_given_on = models.DateField("notice d'information remise le")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="créée par",
    )
    created_by_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="pour la structure",
    )

    class Meta:
        verbose_name = "bénéficiaire"
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(
                fields=["programme", "search_last_name", "search_first_name", "birth_date"],
                name="beneficiary_identity",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="") & ~Q(last_name=""), name="beneficiary_names_set"
            ),
            models.CheckConstraint(
                condition=Q(notice_given_on__gte=F("birth_date")),
                name="beneficiary_notice_after_birth",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.search_first_name = identity_key(self.first_name)
        self.search_last_name = identity_key(self.last_name)
        super().save(*args, **kwargs)


def identity_key(name: str) -> str:
    """The form of a name used to spot the same person twice: accents, case and punctuation
    aside; a name in another script (Иван, مريم) keeps its letters, case-folded.

    Normalising can lengthen a name (« ﬃ » gives « ffi », « ß » gives « ss »): the key is cut
    to its column, the same way for the stored person and for the one searched."""
    key = normalise_name(name) or " ".join(name.casefold().split())
    return key[:SEARCH_KEY_MAX]


def age_on(birth_date, day) -> int:
    """Age in whole years on ``day`` (a person born on 29 February ages on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
