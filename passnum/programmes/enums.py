from django.db import models


class FunderKind(models.TextChoices):
    STATE = "state", "État"
    DEPARTMENT = "department", "Département"
    REGION = "region", "Région"
    OTHER = "other", "Autre financeur"
