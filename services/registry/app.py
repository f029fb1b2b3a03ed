"""Wiring of the registry service: its rules and the subjects it guards."""

from services.registry.domain import DECIDERS
from shared import subjects
from shared.intake import ServiceSpec
from shared.service import DecidingService
from shared.settings import Settings

# Enrolment depends on the registry events alone, so that is what guards its appends.
SPEC = ServiceSpec(name="registry", deciders=DECIDERS, guard=lambda code: subjects.aggregate("registry", code), shared_guard=False)


def create_service(settings: Settings | None = None) -> DecidingService:
    return DecidingService(SPEC, settings or Settings())
