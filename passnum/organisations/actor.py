from dataclasses import dataclass

from .enums import OrganisationKind
from .models import Membership


@dataclass(frozen=True)
class Actor:
    """Who acts: a user through one of their active memberships (the current one).

    The role comes from that membership's organisation, never from the user.
    """

    membership: Membership

    @property
    def user(self):
        return self.membership.user

    @property
    def organisation(self):
        return self.membership.organisation

    @property
    def programme(self):
        return self.membership.organisation.programme

    @property
    def role(self) -> OrganisationKind:
        return self.membership.role

    @property
    def is_admin(self) -> bool:
        return self.membership.is_admin
