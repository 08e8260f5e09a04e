from .models import Beneficiary, identity_key


def possible_duplicates(programme, first_name: str, last_name: str, birth_date):
    """People of the programme with the same names (accents and case aside) and birth date."""
    return Beneficiary.objects.filter(
        programme=programme,
        search_first_name=identity_key(first_name),
        search_last_name=identity_key(last_name),
        birth_date=birth_date,
    ).select_related("commune")
