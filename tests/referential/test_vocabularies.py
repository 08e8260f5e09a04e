import pytest

from passnum.referential.enums import PIC_PUBLICS, Public, Service, tier_of


def test_the_six_publics_of_design():
    assert [p.value for p in Public] == [
        "rsa",
        "demandeur_emploi_peu_qualifie",
        "jeune_decrocheur",
        "senior",
        "jeune",
        "primo_arrivant",
    ]
    assert Public.RSA.label == "Bénéficiaire du rSa"
    assert Public.PRIMO_ARRIVANT.label == "Étranger primo-arrivant"


def test_the_eight_services_of_design():
    assert [s.value for s in Service] == [
        "demarches_administratives",
        "outils_quotidien",
        "insertion_professionnelle",
        "securite",
        "parentalite",
        "loisirs_creation",
        "comprehension",
        "acces_materiel",
    ]
    assert Service.ACCES_MATERIEL.label == "Accès internet et matériel informatique"


@pytest.mark.parametrize(
    ("publics", "tier"),
    [
        ([], 3),
        (["senior"], 2),
        (["jeune", "primo_arrivant"], 2),
        (["jeune", "jeune_decrocheur"], 1),
        (["rsa"], 1),
    ],
)
def test_tier_is_the_best_of_the_publics(publics, tier):
    assert tier_of(publics) == tier


def test_unknown_public_is_refused():
    with pytest.raises(ValueError, match="is not a valid Public"):
        tier_of(["inconnu"])


def test_pic_publics():
    assert {p.value for p in PIC_PUBLICS} == {"demandeur_emploi_peu_qualifie", "jeune_decrocheur"}
