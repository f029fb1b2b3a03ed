"""Who submits (contract 1.1, "Identities and roles"): the five ministries of version 1 and the civil-society
observers the operator registers (shared/observers.py). A role says which kinds an organisation may submit;
any other kind is `not_permitted`, as version 1 answers a related ministry."""

import re
from dataclasses import dataclass
from enum import StrEnum

from shared.ministries import NAMES, RESPONSIBLE, SECRETARIAT, Ministry
from shared.subjects import KINDS, SERVICE_KINDS

OBSERVER_ID = re.compile(r"[a-z][a-z0-9_]{1,31}")
# The platform's own NATS users (ogi/permissions.py): an observer is a NATS user named by its id, so none of
# these may be one.
PLATFORM_USERS = frozenset({"admin", *SERVICE_KINDS, "indicators", "gateway"})


class Role(StrEnum):
    RESPONSIBLE = "responsible"
    SECRETARIAT = "secretariat"
    RELATED = "related"
    OBSERVER = "observer"


KINDS_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.RESPONSIBLE: (*KINDS, "claim.amend"),
    Role.SECRETARIAT: ("claim.verify", "claim.return"),
    Role.RELATED: (),
    Role.OBSERVER: ("claim.dispute",),
}


@dataclass(frozen=True)
class Organisation:
    id: str
    role: Role
    name: str

    def may_submit(self, kind: str) -> bool:
        return kind in KINDS_BY_ROLE[self.role]

    def may_submit_anything(self) -> bool:
        return bool(KINDS_BY_ROLE[self.role])

    @property
    def ministry(self) -> Ministry:
        """The ministry this organisation is; an observer is none."""
        return Ministry(self.id)

    def __str__(self) -> str:
        return self.id


def role_of(ministry: Ministry) -> Role:
    if ministry in RESPONSIBLE:
        return Role.RESPONSIBLE
    return Role.SECRETARIAT if ministry == SECRETARIAT else Role.RELATED


def of_ministry(ministry: Ministry | str) -> Organisation:
    ministry = Ministry(ministry)
    return Organisation(str(ministry), role_of(ministry), NAMES[ministry])


def kinds_of(ministry: Ministry | str) -> tuple[str, ...]:
    """The kinds a ministry submits: none for a related one."""
    return KINDS_BY_ROLE[role_of(Ministry(ministry))]


def kinds_submitted_by(organisation_id: str) -> tuple[str, ...]:
    """The kinds the holder of a gateway token submits: a ministry's by its role, an observer's (registered
    before its token was made, shared/observers.py) a dispute."""
    return kinds_of(organisation_id) if is_ministry(organisation_id) else KINDS_BY_ROLE[Role.OBSERVER]


def is_ministry(organisation_id: str) -> bool:
    return organisation_id in MINISTRY_IDS


def is_observer_id(organisation_id: str) -> bool:
    """The form an observer's id takes; a ministry's id is never one."""
    return OBSERVER_ID.fullmatch(organisation_id) is not None and not is_ministry(organisation_id)


MINISTRY_IDS = frozenset(str(ministry) for ministry in Ministry)
