"""What the tests share: a real nats-server per test, the system run in-process, polling with a deadline."""

import asyncio
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from itertools import count
from typing import Any, TypeVar, overload

import httpx
import nats
from nats.aio.client import Client

from services.indicators.app import IndicatorsService
from services.indicators.projector.loop import Projector
from services.plans.app import create_service as plans_service
from services.registry.app import SPEC as REGISTRY
from services.registry.app import create_service as registry_service
from services.registry.domain import DECIDERS as REGISTRY_DECIDERS
from services.training.app import create_service as training_service
from services.verification.app import create_service as verification_service
from shared.contracts.outcomes import Outcome
from shared.intake import ServiceSpec
from shared.service import DecidingService
from shared.settings import Settings
from shared.submitting import Outcomes, publish_submission

T = TypeVar("T")
DECIDING_SERVICES = {"registry": registry_service, "training": training_service, "plans": plans_service, "verification": verification_service}


@overload
async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 15.0, interval: float = 0.02) -> T: ...


@overload
async def eventually(check: Callable[[], T | None], timeout: float = 15.0, interval: float = 0.02) -> T: ...


async def eventually(check: Callable[[], object], timeout: float = 15.0, interval: float = 0.02) -> Any:
    """Poll `check` until it returns a truthy value, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {check}")
        await asyncio.sleep(interval)


async def bounded(stopping, what: str, timeout: float = 20.0) -> None:
    """Stop one part without letting it hold the whole run: a part that hangs is named, and skipped."""
    try:
        await asyncio.wait_for(stopping, timeout)
    except TimeoutError:
        warnings.warn(f"stopping {what} took over {timeout:.0f} s", stacklevel=2)


_ids = count(1)


def new_id(prefix: str = "s") -> str:
    return f"{prefix}-{next(_ids)}-{time.monotonic_ns() % 10**9}"


class Ministry:
    """A ministry system as CONTRACT.md sees it: raw JSON to the inbox, outcomes from OGI_OUTCOMES."""

    def __init__(self, name: str, nc: Client, outcomes: Outcomes) -> None:
        self.name, self.nc, self.outcomes = name, nc, outcomes

    async def send(self, kind: str, body: dict | bytes, headers: dict | None = None) -> int:
        return await publish_submission(self.nc, self.name, kind, body, headers)

    async def submit(self, kind: str, body: dict | bytes, headers: dict | None = None) -> Outcome:
        return await self.outcomes.wait(await self.send(kind, body, headers), timeout=15)

    async def enroll(self, region: str, occurred_on: str = "2019-03-01", **extra) -> Outcome:
        return await self.submit("region.enroll", {"submission_id": new_id(), "region_code": region, "occurred_on": occurred_on, **extra})

    async def withdraw(self, region: str, occurred_on: str = "2019-09-01") -> Outcome:
        return await self.submit(
            "region.withdraw", {"submission_id": new_id(), "region_code": region, "occurred_on": occurred_on, "reason": "merged programme"}
        )

    async def train(self, region: str, occurred_on: str = "2019-04-01") -> Outcome:
        return await self.submit(
            "training.complete",
            {"submission_id": new_id(), "region_code": region, "occurred_on": occurred_on, "session_id": new_id("session"), "participants": 25},
        )

    async def submit_plan(self, region: str, plan_id: str, occurred_on: str = "2019-06-01") -> Outcome:
        return await self.submit(
            "plan.submit",
            {
                "submission_id": new_id(),
                "region_code": region,
                "occurred_on": occurred_on,
                "plan_id": plan_id,
                "title": "Rencana aksi keterbukaan",
                "sectors": ["kesehatan", "pendidikan"],
            },
        )

    async def withdraw_plan(self, region: str, plan_id: str, occurred_on: str = "2019-10-01") -> Outcome:
        return await self.submit(
            "plan.withdraw", {"submission_id": new_id(), "region_code": region, "occurred_on": occurred_on, "plan_id": plan_id, "reason": "replaced"}
        )


class System:
    """The services in this process against one NATS server and one database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.deciding: list[DecidingService] = []
        self.indicators = IndicatorsService(settings)
        self._nc: Client | None = None
        self._outcomes: Outcomes | None = None
        self._http: httpx.AsyncClient | None = None

    @property
    def nc(self) -> Client:
        return _started(self._nc)

    @property
    def outcomes(self) -> Outcomes:
        return _started(self._outcomes)

    @property
    def http(self) -> httpx.AsyncClient:
        return _started(self._http)

    @property
    def projector(self) -> Projector:
        return _started(self.indicators.projector)

    async def start(self, services: Iterable[str] = tuple(DECIDING_SERVICES)) -> None:
        await self.start_deciding(services)
        await self.indicators.start()
        self._nc = await nats.connect(self.settings.resolved_nats_url)
        self._outcomes = await Outcomes(self._nc).__aenter__()
        self._http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.indicators.http), base_url="http://ogi")

    async def start_deciding(self, services: Iterable[str]) -> None:
        for name in services:
            service = DECIDING_SERVICES[name](self.settings)
            await service.start()
            self.deciding.append(service)

    async def stop_deciding(self) -> None:
        for service in self.deciding:
            await bounded(service.stop(), f"the {service.spec.name} service")
        self.deciding.clear()

    async def stop(self) -> None:
        if self._http is not None:
            await bounded(self._http.aclose(), "the test's HTTP client")
        if self._outcomes is not None:
            await bounded(self._outcomes.__aexit__(), "the outcome subscription")
        if self._nc is not None:
            await bounded(self._nc.drain(), "the test's NATS connection")
        await self.stop_deciding()
        await bounded(self.indicators.stop(), "the indicators service")

    def ministry(self, name: str) -> Ministry:
        return Ministry(name, self.nc, self.outcomes)

    async def indicators_json(self, **params) -> dict:
        response = await self.http.get("/api/v1/indicators", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def counts(self, **params) -> dict[str, int]:
        body = await self.indicators_json(**params)
        return {f"{row['scope']}.{row['indicator']}": row["count"] for row in body["indicators"]}

    async def projected(self, seq: int) -> None:
        """Wait until the projector has applied the event at `seq`."""
        await eventually(lambda: self.projector.position >= seq)


def _started(part: T | None) -> T:
    assert part is not None, "the system is not started"
    return part


@asynccontextmanager
async def running_system(settings: Settings, services: Iterable[str] = tuple(DECIDING_SERVICES)) -> AsyncIterator[System]:
    system = System(settings)
    try:
        await system.start(services)
        yield system
    finally:
        await system.stop()


async def replace_registry(system: System, enroll) -> None:
    """Swap the running registry for one whose enrolment rule is `enroll`."""
    registry = next(service for service in system.deciding if service.spec.name == "registry")
    await registry.stop()
    system.deciding.remove(registry)
    replacement = DecidingService(ServiceSpec("registry", {**REGISTRY_DECIDERS, "region.enroll": enroll}, REGISTRY.guard), system.settings)
    await replacement.start()
    system.deciding.append(replacement)
