"""People for the workspace's tests: an account made as the operator makes it, and activated."""

import secrets
from contextlib import asynccontextmanager

from nats.aio.client import Client

from services.gateway.app import GatewayService
from services.gateway.config import GatewaySettings
from shared.people import PeopleStore, Person


async def active_person(nc: Client, organisation: str, email: str | None = None) -> tuple[Person, str]:
    """An account of `organisation` (a ministry, or an observer registered beforehand) with a password chosen:
    the person, and the password."""
    email = email or f"{organisation}.{secrets.token_hex(4)}@example.go.id"
    people = PeopleStore(nc)
    person, code = await people.add(organisation, email)
    password = secrets.token_urlsafe(16)
    return await people.activate(email, code, password), password


@asynccontextmanager
async def gateway_beside(system, **settings):
    """A GatewayService on `system`'s NATS (`system.gateway`), its limits out of a test's way unless `settings`
    say otherwise."""
    service = GatewayService(system.settings, GatewaySettings(**{"rate_per_second": 1000, "burst": 1000, "failures_per_minute": 1000, **settings}))
    await service.start()
    system.gateway = service
    try:
        yield system
    finally:
        await service.stop()
