"""Budget figures of a programme, computed in this one place (money in integer cents). The web
pages, the API, the commands and the documents all read them from here; the ledger's counts
come from ``passnum.passes.selectors.budget_for``.

pass budget = envelope − engineering share; passes purchasable = pass budget ÷ face value;
committed = value of assigned passes; consumed = value of redeemed and reimbursed passes;
available = pass budget − committed − consumed. The stock (available, assigned, redeemed and
reimbursed passes: expired and cancelled ones free their place) never exceeds what the pass
budget buys.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    envelope_cents: int
    engineering_cents: int
    pass_value_cents: int
    passes_per_checkbook: int
    committed_cents: int = 0
    consumed_cents: int = 0
    ledger_cents: int = 0  # value of the passes that take a place in the pass budget
    in_stock: int = 0  # available passes, ready to be prescribed

    @property
    def pass_budget_cents(self) -> int:
        return self.envelope_cents - self.engineering_cents

    @property
    def passes_total(self) -> int:
        return self.pass_budget_cents // self.pass_value_cents

    @property
    def checkbooks_total(self) -> int:
        return self.passes_total // self.passes_per_checkbook

    @property
    def checkbook_value_cents(self) -> int:
        return self.pass_value_cents * self.passes_per_checkbook

    @property
    def available_cents(self) -> int:
        return self.pass_budget_cents - self.committed_cents - self.consumed_cents

    @property
    def can_cover_checkbook(self) -> bool:
        return self.available_cents >= self.checkbook_value_cents

    @property
    def checkbooks_in_budget(self) -> int:
        """Checkbooks the available budget can still pay for."""
        return max(self.available_cents // self.checkbook_value_cents, 0)

    @property
    def checkbooks_in_stock(self) -> int:
        """Checkbooks the available passes make up."""
        return self.in_stock // self.passes_per_checkbook

    @property
    def room_cents(self) -> int:
        """What the pass budget can still buy as new passes (generated or imported)."""
        return self.pass_budget_cents - self.ledger_cents

    @property
    def passes_purchasable(self) -> int:
        """New passes the pass budget can still buy."""
        return max(self.room_cents // self.pass_value_cents, 0)


def budget_of(
    programme,
    committed_cents: int = 0,
    consumed_cents: int = 0,
    ledger_cents: int = 0,
    in_stock: int = 0,
) -> Budget:
    return Budget(
        envelope_cents=programme.envelope_cents,
        engineering_cents=programme.engineering_cents,
        pass_value_cents=programme.pass_value_cents,
        passes_per_checkbook=programme.passes_per_checkbook,
        committed_cents=committed_cents,
        consumed_cents=consumed_cents,
        ledger_cents=ledger_cents,
        in_stock=in_stock,
    )


def split_between_funders(amount_cents: int, funders) -> list[tuple[object, int]]:
    """Each funder's share of an amount, in cents, rounded so that the shares add up exactly.

    Shares are floored, then the cents left over go to the largest remainders (ties to the
    larger share). When the shares add up to less than 100 %, the rest stays unallocated.
    """
    funders = list(funders)
    exact = [(f, amount_cents * f.share_basis_points) for f in funders]
    floors = [(f, value // 10_000, value % 10_000) for f, value in exact]
    allocated_total = sum(amount_cents * f.share_basis_points for f in funders) // 10_000
    left = allocated_total - sum(floor for _, floor, _ in floors)
    order = sorted(
        range(len(floors)), key=lambda i: (-floors[i][2], -funders[i].share_basis_points)
    )
    bonus = set(order[:left])
    return [(f, floor + (1 if i in bonus else 0)) for i, (f, floor, _) in enumerate(floors)]
