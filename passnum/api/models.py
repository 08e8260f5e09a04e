from django.db import models


class IdempotentRequest(models.Model):
    """A state-changing API request made with an ``Idempotency-Key``: the same key and the same
    body within 24 hours replay its answer instead of acting twice.

    It keeps the id of what the request created (never its answer: a prescription's answer
    holds secret pass codes), so that the route rebuilds the answer from the database.
    """

    membership = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="adhésion",
        db_index=False,  # covered by the unique constraint
    )
    operation = models.CharField("opération", max_length=40)
    key = models.CharField("clé", max_length=255)
    request_digest = models.CharField("empreinte de la requête", max_length=64)
    result_id = models.BigIntegerField("identifiant du résultat")
    status_code = models.PositiveSmallIntegerField("statut HTTP")
    created_at = models.DateTimeField("le", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "requête idempotente"
        verbose_name_plural = "requêtes idempotentes"
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "operation", "key"], name="idempotent_request_once"
            ),
        ]

    def __str__(self):
        return f"{self.operation} {self.key}"
