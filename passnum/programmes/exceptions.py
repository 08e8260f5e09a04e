from passnum.common.exceptions import Conflict, InvalidInput


class FunderSharesExceedWhole(InvalidInput):
    code = "funder_shares_exceed"
    message = "La somme des parts des financeurs dépasse 100 %."


class InvalidExpense(InvalidInput):
    code = "invalid_expense"
    message = "Cette dépense d'ingénierie n'est pas valide."


class EngineeringShareExceeded(Conflict):
    code = "engineering_share_exceeded"
    message = "Cette dépense dépasserait la part ingénierie du programme."
