"""Wiring of the registry service: its rules, the subjects it guards, and the FastStream app."""

from faststream import FastStream

from services.registry.domain import DECIDERS
from shared import subjects
from shared.intake import ServiceSpec
from shared.service import build_app
from shared.settings import Settings

# Enrolment depends on the registry events alone, so that is what guards its appends.
SPEC = ServiceSpec(name="registry", deciders=DECIDERS, guard=lambda code: subjects.aggregate("registry", code))


def create_app(settings: Settings | None = None) -> FastStream:
    return build_app(SPEC, settings or Settings())
