"""``passnum check --deploy``: what production needs for the pass codes."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def codes_key_is_set(app_configs, **kwargs):
    if getattr(settings, "PASSNUM_CODES_KEY_IS_SET", False):
        return []
    return [
        Warning(
            "PASSNUM_CODES_KEY n'est pas défini : la clé des codes de pass est dérivée de "
            "SECRET_KEY, si bien que changer SECRET_KEY rendrait illisibles les codes des "
            "chéquiers déjà imprimés.",
            hint="Définissez PASSNUM_CODES_KEY (une valeur aléatoire longue, gardée hors de la "
            "base et sauvegardée à part) avant le premier chéquier.",
            id="passnum.W001",
        )
    ]
