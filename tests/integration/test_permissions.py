"""Least privilege on NATS (docs/security.md), proved against nats-server running ogi/permissions.py: every
ministry against every other ministry's subjects, every user but admin against deleting and purging, the
related ministries against publishing anything; and the allowed paths, with the services running under
their own users."""

import json
from collections import Counter
from contextlib import aclosing
from pathlib import Path

import pytest
from nats.js.api import ConsumerConfig, StreamConfig
from nats.js.errors import KeyNotFoundError

from ogi import credentials, permissions
from ogi.embedded_nats import EmbeddedNats, free_port
from services.indicators.projector import arrivals
from services.indicators.projector import pull
from services.indicators.app import IndicatorsService
from shared import streams, subjects
from shared.eventstore import EventStore
from shared.ministries import RESPONSIBLE, Ministry
from shared.natsconn import NatsUnreachable, connect
from shared.settings import Settings
from tests.support import DECIDING_SERVICES, eventually, new_id

MINISTRIES = [str(ministry) for ministry in Ministry]
RELATED = [ministry for ministry in MINISTRIES if Ministry(ministry) not in RESPONSIBLE]
NON_ADMINS = [user for user in permissions.users() if user != permissions.ADMIN]
STREAMS = [subjects.INBOX_STREAM, subjects.EVENTS_STREAM, subjects.OUTCOMES_STREAM, f"KV_{subjects.INDICATORS_BUCKET}", f"KV_{subjects.SUBMISSIONS_BUCKET}"]


class User:
    """One NATS connection as one user, keeping the permission violations the server reports to it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.violations: list[str] = []
        self.nc = None

    async def connect(self, url: str, directory: Path) -> "User":
        async def record(error: Exception) -> None:
            self.violations.append(str(error))

        self.nc = await connect(url, f"test-{self.name}", credentials=credentials.credentials_file(directory, self.name), error_cb=record)
        return self

    async def refused(self, action: str, subject: str, reply: bool = False, patience: float = 2.0) -> bool:
        """Publish to (or subscribe to) `subject`; True when the server says this user may not."""
        if action == "publish":
            await self.nc.publish(subject, b"{}", reply=self.nc.new_inbox() if reply else "")
        else:
            subscription = await self.nc.subscribe(subject)
        await self.nc.flush()
        words = "publish to" if action == "publish" else "subscription to"
        expected = f'permissions violation for {words} "{subject}"'.lower()  # as nats-py reports it
        try:  # the server's -ERR usually precedes its PONG, but not always
            return await eventually(lambda: any(expected in violation for violation in self.violations), timeout=patience)
        except AssertionError:
            return False
        finally:
            self.violations.clear()
            if action == "subscribe":
                await subscription.unsubscribe()


class Matrix:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    async def denied(self, user: User, action: str, subject: str, reply: bool = False) -> None:
        assert await user.refused(action, subject, reply), f"{user.name} may {action} {subject}: {user.violations}"
        self.counts["denied"] += 1

    def allowed(self, what: str, ok: bool) -> None:
        assert ok, what
        self.counts["allowed"] += 1


@pytest.fixture
def secure_nats(tmp_path):
    directory = tmp_path / "credentials"
    server = EmbeddedNats(tmp_path / "nats", free_port(), authorization=permissions.authorization(credentials.ensure(directory)))
    server.start()
    server.credentials = directory
    yield server
    server.kill()


@pytest.fixture
async def users(secure_nats):
    connected = {name: await User(name).connect(secure_nats.url, secure_nats.credentials) for name in permissions.users()}
    await streams.declare(connected[permissions.ADMIN].nc)
    yield connected
    for user in connected.values():
        await user.nc.close()


@pytest.fixture
async def services(secure_nats, users, tmp_path, sqlite_url):
    """The deciding services and the indicators service, each as its own NATS user."""
    base = Settings(data_dir=tmp_path / "data", nats_url=secure_nats.url, database_url=sqlite_url, http_port=free_port())

    def settings_of(user: str) -> Settings:
        return base.model_copy(update={"nats_credentials": credentials.credentials_file(secure_nats.credentials, user)})

    running = [create(settings_of(name)) for name, create in DECIDING_SERVICES.items()]
    running.append(IndicatorsService(settings_of("indicators")))
    for service in running:
        await service.start()
    yield running
    for service in running:
        await service.stop()


async def test_a_connection_without_credentials_or_with_a_wrong_password_is_refused(secure_nats, tmp_path):
    with pytest.raises(NatsUnreachable, match="refused"):
        await connect(secure_nats.url, "anonymous", timeout=1)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"user": "kemendagri", "password": "guessed"}))
    with pytest.raises(NatsUnreachable, match="refused"):
        await connect(secure_nats.url, "guesser", timeout=1, credentials=wrong)


def test_credentials_files_are_private_and_reused(secure_nats):
    directory = secure_nats.credentials
    assert directory.stat().st_mode & 0o777 == 0o700
    files = {user: credentials.credentials_file(directory, user) for user in permissions.users()}
    for user, path in files.items():
        assert path.stat().st_mode & 0o777 == 0o600
        assert json.loads(path.read_text())["user"] == user
    before = {user: path.read_text() for user, path in files.items()}
    credentials.ensure(directory)
    assert {user: path.read_text() for user, path in files.items()} == before


async def test_the_whole_matrix(secure_nats, users, services, figures):
    matrix = Matrix()
    for name in MINISTRIES:
        ministry = users[name]
        for other in MINISTRIES:
            if other != name:
                for kind in subjects.KINDS:
                    await matrix.denied(ministry, "publish", subjects.inbox(other, kind), reply=True)
                await matrix.denied(ministry, "subscribe", subjects.outcome(other, ">"))
                await matrix.denied(ministry, "publish", f"$JS.API.DIRECT.GET.OGI_OUTCOMES.ogi.outcome.{other}.x", reply=True)
                await matrix.denied(ministry, "publish", f"$JS.API.CONSUMER.CREATE.OGI_OUTCOMES.peek.ogi.outcome.{other}.>", reply=True)
        for subject in (
            "$JS.API.CONSUMER.CREATE.OGI_OUTCOMES",  # a consumer whose filter the server cannot check by subject
            "$JS.API.DIRECT.GET.OGI_OUTCOMES",  # a direct get whose subject is in the body
            "$JS.API.STREAM.MSG.GET.OGI_OUTCOMES",
            "$JS.API.DIRECT.GET.OGI_EVENTS",
            subjects.outcome(name, "forged"),  # outcomes come from the platform only
            subjects.event("registry", "73.71", "RegionEnrolled"),
            subjects.indicator("national", "enrolled"),
            f"$KV.{subjects.INDICATORS_BUCKET}.national.enrolled",
            f"$KV.{subjects.SUBMISSIONS_BUCKET}.{name}.claimed",
        ):
            await matrix.denied(ministry, "publish", subject, reply=True)
        await matrix.denied(ministry, "subscribe", "ogi.inbox.>")
        await matrix.denied(ministry, "subscribe", "_INBOX.>")  # other users' replies
    for name in RELATED:  # read only: their own inbox too
        for kind in subjects.KINDS:
            await matrix.denied(users[name], "publish", subjects.inbox(name, kind), reply=True)
    for name in NON_ADMINS:
        for stream in STREAMS:
            for operation in ("DELETE", "PURGE", "MSG.DELETE"):
                await matrix.denied(users[name], "publish", f"$JS.API.STREAM.{operation}.{stream}", reply=True)
        for service in DECIDING_SERVICES:
            await matrix.denied(users[name], "publish", f"$JS.API.CONSUMER.DELETE.{subjects.INBOX_STREAM}.{service}", reply=True)
        await matrix.denied(users[name], "publish", f"$JS.API.STREAM.CREATE.{subjects.EVENTS_STREAM}", reply=True)
    for service in DECIDING_SERVICES:  # a service appends under its own name only
        for other in DECIDING_SERVICES:
            if other != service:
                await matrix.denied(users[service], "publish", subjects.event(other, "73.71", "RegionEnrolled"), reply=True)
        await matrix.denied(users[service], "publish", subjects.inbox("kemendagri", "region.enroll"), reply=True)
    await matrix.denied(users["indicators"], "publish", subjects.inbox("kemendagri", "region.enroll"), reply=True)
    await matrix.denied(users["indicators"], "publish", subjects.event("registry", "73.71", "RegionEnrolled"), reply=True)
    await matrix.denied(users["gateway"], "publish", subjects.event("registry", "73.71", "RegionEnrolled"), reply=True)

    await _allowed_paths(matrix, users)
    assert not _service_violations(secure_nats), "a service was refused something it needs"
    figures.append(f"NATS permissions: {matrix.counts['denied']} denied as they must be, {matrix.counts['allowed']} allowed paths work")


async def test_a_consumer_named_for_own_outcomes_cannot_filter_another_ministrys(users):
    # Allowed by subject (the filter named there is its own), refused by the server (the filter inside is not).
    reply = await users["kemendagri"].nc.request(
        "$JS.API.CONSUMER.CREATE.OGI_OUTCOMES.sneaky.ogi.outcome.kemendagri.>",
        json.dumps({"stream_name": "OGI_OUTCOMES", "config": {"name": "sneaky", "filter_subject": "ogi.outcome.kominfo.>", "deliver_subject": "_INBOX_kemendagri.x", "ack_policy": "none"}}).encode(),
        timeout=2,
    )
    assert "filter" in json.loads(reply.data)["error"]["description"]


async def _allowed_paths(matrix: Matrix, users: dict[str, User]) -> None:
    region = {"kemendagri": "73.71", "kominfo": "32.73"}
    for name in map(str, RESPONSIBLE):
        nc = users[name].nc
        js = nc.jetstream()
        submission_id = new_id(name)
        outcome_subject = subjects.outcome(name, submission_id)
        live = await nc.subscribe(outcome_subject)
        follower = await js.subscribe(  # a consumer of its own outcomes, named so the server can check its filter
            subjects.outcome(name, ">"), stream=subjects.OUTCOMES_STREAM,
            config=ConsumerConfig(name=f"{name}-{submission_id}", ack_policy="none", inactive_threshold=5),
        )
        body = {"submission_id": submission_id, "region_code": region[name], "occurred_on": "2019-03-01"}
        ack = await js.publish(subjects.inbox(name, "region.enroll"), json.dumps(body).encode(), stream=subjects.INBOX_STREAM)
        matrix.allowed(f"{name} submits to its inbox", ack.seq > 0)
        outcome = json.loads((await live.next_msg(timeout=15)).data)
        matrix.allowed(f"{name} receives its outcome live", outcome["status"] == "accepted" and outcome["submission_seq"] == ack.seq)
        followed = json.loads((await follower.next_msg(timeout=5)).data)
        matrix.allowed(f"{name} follows its outcomes with a consumer", followed["submission_id"] == submission_id)
        stored = await js.get_last_msg(subjects.OUTCOMES_STREAM, outcome_subject, direct=True)
        matrix.allowed(f"{name} reads its outcome back", json.loads(stored.data)["submission_id"] == submission_id)
    for service in ("training", "plans"):  # as each does before deciding: a region's last event, by direct get
        try:
            last = await EventStore(users[service].nc, timeout=2).last(subjects.region_history(region["kemendagri"]))
        except TimeoutError:  # the server dropped a request this user may not make
            last = None
        matrix.allowed(f"{service} reads a region's last event", last is not None and last.event.region_code == region["kemendagri"])
    for name in MINISTRIES:
        bucket = await users[name].nc.jetstream().key_value(subjects.INDICATORS_BUCKET)

        async def enrolled(bucket=bucket) -> bool:
            try:
                return json.loads((await bucket.get("national.enrolled")).value)["count"] == 2
            except KeyNotFoundError:  # not projected yet
                return False

        matrix.allowed(f"{name} reads the indicators", await eventually(enrolled))
        live = await users[name].nc.subscribe("ogi.indicators.>")
        await users[name].nc.flush()
        matrix.allowed(f"{name} subscribes to the indicators", not await users[name].refused("subscribe", "ogi.indicators.national.plans", patience=0.2))
        await live.unsubscribe()
    async with aclosing(pull.runs(users["indicators"].nc, 1, most=10)) as runs:  # as its receiving process does
        first = await anext(runs)
    matrix.allowed("indicators pulls OGI_EVENTS to catch up", arrivals.arrival(first[0], None)[0] == 1)
    admin = users[permissions.ADMIN].nc.jetstream()
    await admin.add_stream(StreamConfig(name="SCRATCH", subjects=["scratch.>"]))
    await admin.publish("scratch.one", b"1", stream="SCRATCH")
    await admin.purge_stream("SCRATCH")
    matrix.allowed("admin purges a stream", (await admin.stream_info("SCRATCH")).state.messages == 0)
    matrix.allowed("admin deletes a stream", await admin.delete_stream("SCRATCH"))


def _service_violations(server: EmbeddedNats) -> list[str]:
    log = (server.store_dir / "nats-server.log").read_text()
    services = set(permissions.SERVICES) | {permissions.ADMIN}
    return [line for line in log.splitlines() if "Violation" in line and any(f'User "{name}"' in line for name in services)]


async def test_the_deploy_config_is_current_and_takes_its_hashes_from_the_environment(tmp_path, monkeypatch):
    deployed = Path(__file__).parents[2] / "deploy" / "nats" / "auth.conf"
    assert deployed.read_text() == permissions.deploy_authorization(), "run `python -m ogi.permissions > deploy/nats/auth.conf`"
    directory = tmp_path / "credentials"
    for line in credentials.environment(credentials.ensure(directory)).splitlines():
        name, quoted = line.split("=", 1)
        monkeypatch.setenv(name, quoted.strip("'"))  # as a shell or `docker compose --env-file` gives it
    (tmp_path / "nats").mkdir()
    (tmp_path / "nats" / "auth.conf").write_text(deployed.read_text())  # beside the config, as in deploy/nats
    server = EmbeddedNats(tmp_path / "nats", free_port(), authorization="include ./auth.conf\n")
    server.start()
    try:
        nc = await connect(server.url, "kemendagri-system", credentials=credentials.credentials_file(directory, "kemendagri"))
        await nc.close()
        with pytest.raises(NatsUnreachable, match="refused"):
            await connect(server.url, "stranger", timeout=1)
    finally:
        server.kill()
