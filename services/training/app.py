"""Wiring of the training service: its rules, the subjects it guards, and the FastStream app."""

from faststream import FastStream

from services.training.domain import DECIDERS
from shared import subjects
from shared.intake import ServiceSpec
from shared.service import build_app
from shared.settings import Settings

# A training is decided on the whole region (is it enrolled now?), so the whole region guards the append.
SPEC = ServiceSpec(name="training", deciders=DECIDERS, guard=lambda code: subjects.region_history(code))


def create_app(settings: Settings | None = None) -> FastStream:
    return build_app(SPEC, settings or Settings())
