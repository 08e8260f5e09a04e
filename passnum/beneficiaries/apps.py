from django.apps import AppConfig


class BeneficiariesConfig(AppConfig):
    name = "passnum.beneficiaries"
    verbose_name = "Bénéficiaires"
