"""Wiring of the verification service: its rules and the subjects it guards."""

from services.verification.claim_index import ClaimIndex
from services.verification.domain import DECIDERS, permit
from services.verification.notices import ministry_told
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
    after_append=ministry_told,  # a returned or disputed claim's ministry is told on ogi.notice.<ministry>.…
)


def create_service(settings: Settings | None = None) -> DecidingService:
    return DecidingService(SPEC, settings or Settings())
