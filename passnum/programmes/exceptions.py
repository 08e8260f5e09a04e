from passnum.common.exceptions import InvalidInput


class FunderSharesExceedWhole(InvalidInput):
    code = "funder_shares_exceed"
    message = "La somme des parts des financeurs dépasse 100 %."
