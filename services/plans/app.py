"""Wiring of the plans service: its rules and the subjects it guards."""

from services.plans.domain import DECIDERS
from shared import subjects
from shared.intake import ServiceSpec
from shared.service import DecidingService
from shared.settings import Settings

# A plan is decided on the whole region (is it enrolled now?), so the whole region guards the append.
SPEC = ServiceSpec(name="plans", deciders=DECIDERS, guard=lambda code: subjects.region_history(code))


def create_service(settings: Settings | None = None) -> DecidingService:
    return DecidingService(SPEC, settings or Settings())
