"""People for the workspace's tests: an account made as the operator makes it, and activated."""

import secrets

from nats.aio.client import Client

from shared.people import PeopleStore, Person


async def active_person(nc: Client, organisation: str, email: str | None = None) -> tuple[Person, str]:
    """An account of `organisation` (a ministry, or an observer registered beforehand) with a password chosen:
    the person, and the password."""
    email = email or f"{organisation}.{secrets.token_hex(4)}@example.go.id"
    people = PeopleStore(nc)
    person, code = await people.add(organisation, email)
    password = secrets.token_urlsafe(16)
    return await people.activate(email, code, password), password
