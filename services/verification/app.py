"""Wiring of the verification service: its rules and the subjects it guards."""

from services.verification.claim_index import ClaimIndex
from services.verification.domain import DECIDERS, permit
from shared import subjects
from shared.intake import ServiceSpec
from shared.service import DecidingService
from shared.settings import Settings

# A claim's state follows the region's trainings, plans and withdrawals too, so the whole region guards the
# append: of a verification and a dispute of one claim at once, one is decided on the other's result.
SPEC = ServiceSpec(
    name="verification",
    deciders=DECIDERS,
    guard=lambda code: subjects.region_history(code),
    permit=permit,
    locate=ClaimIndex,
)


def create_service(settings: Settings | None = None) -> DecidingService:
    return DecidingService(SPEC, settings or Settings())
