"""Least privilege on NATS (docs/security.md), proved against nats-server running the accounts of
ogi/accounts.py: every ministry against every other ministry's subjects and against aiming a delivery at
another, every user but admin against deleting and purging, the related ministries against publishing
anything and against leaving JetStream state behind; and the allowed paths, with the services running under
their own users."""

import contextlib
import json
from collections import Counter
from contextlib import aclosing
from pathlib import Path
from typing import TypedDict

import pytest
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import APIError, KeyNotFoundError, NoKeysError, NotFoundError

from ogi import accounts, credentials, permissions
from ogi.embedded_nats import EmbeddedNats, free_port
from ogi.observer_users import ObserverUsers
from services.gateway.workspace.sessions import Sessions
from services.indicators.app import IndicatorsService
from services.indicators.projector import arrivals, pull
from shared import account_mirrors, streams, subjects
from shared.eventstore import EventStore
from shared.evidence_index import EvidenceIndex
from shared.evidence_store import EvidenceStore
from shared.ministries import RESPONSIBLE, Ministry
from shared.natsconn import NatsUnreachable, connect
from shared.observers import ObserverRegistry
from shared.organisations import kinds_of
from shared.people import PeopleStore
from shared.service import DecidingService
from shared.settings import Settings
from shared.stream_reader import StreamReader
from shared.tokens import TokenStore
from tests.support import DECIDING_SERVICES, eventually, new_id

MINISTRIES = [str(ministry) for ministry in Ministry]
RELATED = [ministry for ministry in MINISTRIES if not kinds_of(ministry)]
NON_ADMINS = [user for user in permissions.users() if user != permissions.ADMIN]
INDICATORS = streams.bucket_stream(subjects.INDICATORS_BUCKET)
STREAMS = [subjects.INBOX_STREAM, subjects.EVENTS_STREAM, subjects.OUTCOMES_STREAM, INDICATORS, f"KV_{subjects.SUBMISSIONS_BUCKET}"]


class User:
    """One NATS connection as one user, keeping the permission violations the server reports to it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.violations: list[str] = []
        self._nc: Client | None = None

    @property
    def nc(self) -> Client:
        assert self._nc is not None, f"{self.name} is not connected"
        return self._nc

    async def connect(self, url: str, directory: Path) -> "User":
        async def record(error: Exception) -> None:
            self.violations.append(str(error))

        self._nc = await connect(url, f"test-{self.name}", credentials=credentials.credentials_file(directory, self.name), error_cb=record)
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


class DurableConsumer(TypedDict):
    durable_name: str
    deliver_subject: str
    ack_policy: AckPolicy


class Matrix:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    async def denied(self, user: User, action: str, subject: str, reply: bool = False) -> None:
        assert await user.refused(action, subject, reply), f"{user.name} may {action} {subject}: {user.violations}"
        self.counts["denied"] += 1

    def allowed(self, what: str, ok: bool) -> None:
        assert ok, what
        self.counts["allowed"] += 1


class SecureNats(EmbeddedNats):
    """The embedded server running the accounts of ogi/accounts.py, and where their users' credentials are."""

    credentials: Path


@pytest.fixture
def secure_nats(tmp_path):
    directory = tmp_path / "credentials"
    server = SecureNats(tmp_path / "nats", free_port(), authorization=accounts.server_config(credentials.ensure(directory)))
    server.start()
    server.credentials = directory
    yield server
    server.kill()


@pytest.fixture
async def users(secure_nats):
    connected = {name: await User(name).connect(secure_nats.url, secure_nats.credentials) for name in permissions.users()}
    await streams.declare(connected[permissions.ADMIN].nc)
    await account_mirrors.declare(connected[permissions.ADMIN].nc)
    yield connected
    for user in connected.values():
        await user.nc.close()


@pytest.fixture
async def services(secure_nats, users, tmp_path, sqlite_url):
    """The deciding services and the indicators service, each as its own NATS user."""
    base = Settings(data_dir=tmp_path / "data", nats_url=secure_nats.url, database_url=sqlite_url, http_port=free_port())

    def settings_of(user: str) -> Settings:
        return base.model_copy(update={"nats_credentials": credentials.credentials_file(secure_nats.credentials, user)})

    running: list[DecidingService | IndicatorsService] = [create(settings_of(name)) for name, create in DECIDING_SERVICES.items()]
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
            "$JS.API.STREAM.MSG.GET.OGI_OUTCOMES",
            "$JS.API.DIRECT.GET.OGI_EVENTS",
            f"$JS.API.CONSUMER.CREATE.{subjects.EVENTS_STREAM}",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{INDICATORS}.stays",  # durable state
            f"$JS.API.CONSUMER.CREATE.{INDICATORS}.stays",  # named, so possibly durable
            f"{account_mirrors.PLATFORM_API}.CONSUMER.CREATE.{INDICATORS}.peek.$KV.{subjects.INDICATORS_BUCKET}.>",  # the mirrors' path
            subjects.outcome(name, "forged"),  # outcomes come from the platform only
            subjects.event("registry", "73.71", "RegionEnrolled"),
            subjects.indicator("national", "enrolled"),
            f"$KV.{subjects.INDICATORS_BUCKET}.national.enrolled",
            f"$KV.{subjects.SUBMISSIONS_BUCKET}.{name}.claimed",
        ):
            await matrix.denied(ministry, "publish", subject, reply=True)
        await matrix.denied(ministry, "subscribe", "ogi.inbox.>")
    for name in RELATED:  # read only: their own inbox too, and they have no outcomes to read
        for kind in subjects.KINDS:
            await matrix.denied(users[name], "publish", subjects.inbox(name, kind), reply=True)
        await matrix.denied(users[name], "publish", "$JS.API.CONSUMER.CREATE.OGI_OUTCOMES", reply=True)
        await matrix.denied(users[name], "publish", "$JS.API.DIRECT.GET.OGI_OUTCOMES", reply=True)
    for kind in (*subjects.KINDS, "claim.amend", "claim.dispute"):  # the secretariat: its two claim kinds alone
        await matrix.denied(users["bappenas"], "publish", subjects.inbox("bappenas", kind), reply=True)
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


def hijack_targets(victim: str) -> list[str]:
    """Where a delivery would reach `victim`: its outcomes, its replies, its inbox (a submission in its name)."""
    return [subjects.outcome(victim, "hijack"), f"_INBOX_{victim}.hijack", subjects.inbox(victim, "region.enroll")]


def consumer_requests(ministry: str, stream: str, deliver_subject: str) -> list[tuple[str, dict]]:
    """Every way to ask for a consumer of `stream` delivering to `deliver_subject`: unnamed, named (also with
    the filter of what `ministry` may read there), durable."""
    config = {"deliver_subject": deliver_subject, "deliver_policy": "all", "ack_policy": "none"}
    requests = [
        (f"$JS.API.CONSUMER.CREATE.{stream}", config),
        (f"$JS.API.CONSUMER.CREATE.{stream}.aim", {**config, "name": "aim"}),
        (f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.aim", {**config, "durable_name": "aim"}),
    ]
    readable = {subjects.OUTCOMES_STREAM: subjects.outcome(ministry, ">"), INDICATORS: f"$KV.{subjects.INDICATORS_BUCKET}.>"}
    if stream in readable:
        requests.append((f"$JS.API.CONSUMER.CREATE.{stream}.aim.{readable[stream]}", {**config, "name": "aim", "filter_subject": readable[stream]}))
    return [(api, {"stream_name": stream, "config": body}) for api, body in requests]


async def test_no_ministry_can_aim_a_delivery_at_another(users):
    admin = users[permissions.ADMIN].nc.jetstream()
    await (await admin.key_value(subjects.INDICATORS_BUCKET)).put("national.enrolled", b'{"count": 0}')
    for name in map(str, RESPONSIBLE):  # outcomes a ministry may follow: something for its consumers to deliver
        await admin.publish(subjects.outcome(name, "earlier"), b"{}", stream=subjects.OUTCOMES_STREAM)
    arrived = []

    def arrivals_of(victim: str):
        async def arrive(message) -> None:
            arrived.append(f"{victim} got {message.subject}")

        return arrive

    for victim in MINISTRIES:
        listening = hijack_targets(victim)[:2] if Ministry(victim) in RESPONSIBLE else hijack_targets(victim)[1:2]
        for subject in listening:
            await users[victim].nc.subscribe(subject, cb=arrivals_of(victim))
        await users[victim].nc.flush()

    for name in MINISTRIES:
        attacker = users[name].nc
        for victim in (other for other in MINISTRIES if other != name):
            for target in hijack_targets(victim):
                await attacker.publish(target, b"{}")
                for stream in (*STREAMS, streams.bucket_stream(subjects.TOKENS_BUCKET)):
                    for api, request in consumer_requests(name, stream, target):
                        await attacker.publish(api, json.dumps(request).encode(), reply=attacker.new_inbox())
        # Its deliveries flow: a consumer of its own, made after all the others, delivers to it.
        control = await attacker.subscribe(f"_INBOX_{name}.control")
        await attacker.jetstream().subscribe(
            f"$KV.{subjects.INDICATORS_BUCKET}.>", stream=INDICATORS, ordered_consumer=True, config=ConsumerConfig(deliver_subject=f"_INBOX_{name}.control")
        )
        await control.next_msg(timeout=10)

    with contextlib.suppress(AssertionError):  # the good outcome: nothing within the deadline
        await eventually(lambda: arrived, timeout=2)
    assert arrived == [], f"deliveries reached another ministry: {sorted(set(arrived))}"
    inbox = await admin.stream_info(subjects.INBOX_STREAM)
    assert inbox.state.messages == 0, "a delivery was stored as a submission"


async def test_a_read_only_ministry_leaves_no_consumer_or_stream_behind(users):
    admin = users[permissions.ADMIN].nc
    for name in RELATED:
        nc = users[name].nc
        js = nc.jetstream(timeout=0.5)
        durable: DurableConsumer = {"durable_name": f"{name}-stays", "deliver_subject": f"_INBOX_{name}.stays", "ack_policy": AckPolicy.NONE}
        attempts = {
            "a durable consumer": js.add_consumer(INDICATORS, ConsumerConfig(**durable)),
            "a named durable consumer": js.add_consumer(INDICATORS, ConsumerConfig(name=f"{name}-stays", **durable)),
            "a durable consumer by the ephemeral path": _api_request(
                nc, f"$JS.API.CONSUMER.CREATE.{INDICATORS}", {"stream_name": INDICATORS, "config": durable}
            ),
            "a consumer kept a day after its reader left": js.add_consumer(
                INDICATORS, ConsumerConfig(deliver_subject=f"_INBOX_{name}.day", ack_policy=AckPolicy.NONE, inactive_threshold=86400)
            ),
            "a stream": js.add_stream(StreamConfig(name=f"{name.upper()}_OWN", subjects=[f"{name}.own"])),
            "a bucket": js.create_key_value(bucket=f"{name.upper()}_OWN"),
            "an object store": js.create_object_store(bucket=f"{name.upper()}_FILES"),
        }
        for what, attempt in attempts.items():
            with pytest.raises((APIError, NatsTimeout)):
                await attempt
                pytest.fail(f"{name} made {what}")

        # An ephemeral consumer, such as a KV watch makes, goes once its reader has gone.
        watching = await js.subscribe(f"$KV.{subjects.INDICATORS_BUCKET}.>", stream=INDICATORS, ordered_consumer=True, inactive_threshold=1)
        consumer = (await watching.consumer_info()).name
        await nc.close()
        account = account_mirrors.account_jetstream(admin, name)

        async def consumers(account=account) -> list[str]:
            return [info.name for info in await account.consumers_info(INDICATORS)]

        async def gone(consumer=consumer) -> bool:
            return consumer not in await consumers()

        await eventually(gone, timeout=15)
        assert await consumers() == []
        assert [info.config.name for info in await account.streams_info()] == [INDICATORS]


async def test_a_ministrys_mirror_of_the_outcomes_holds_its_own_only(users):
    admin = users[permissions.ADMIN].nc.jetstream()
    for name in map(str, RESPONSIBLE):
        await admin.publish(subjects.outcome(name, "mine"), json.dumps({"ministry": name}).encode(), stream=subjects.OUTCOMES_STREAM)
    for name in map(str, RESPONSIBLE):
        reader = StreamReader(users[name].nc, subjects.OUTCOMES_STREAM)

        async def own_ones(reader=reader) -> list:
            return [message.subject for message in await reader.read("ogi.outcome.>")]

        assert await eventually(own_ones) == [subjects.outcome(name, "mine")]


async def _allowed_paths(matrix: Matrix, users: dict[str, User]) -> None:
    watchers = {}
    for name in MINISTRIES:  # as `ogi indicators --watch` does
        bucket = await users[name].nc.jetstream().key_value(subjects.INDICATORS_BUCKET)
        watchers[name] = await bucket.watchall(include_history=False)
    region = {"kemendagri": "73.71", "kominfo": "32.73"}
    for name in map(str, RESPONSIBLE):
        nc = users[name].nc
        js = nc.jetstream()
        submission_id = new_id(name)
        outcome_subject = subjects.outcome(name, submission_id)
        live = await nc.subscribe(outcome_subject)
        follower = await js.subscribe(  # an ephemeral consumer on its mirror of its outcomes
            subjects.outcome(name, ">"),
            stream=subjects.OUTCOMES_STREAM,
            config=ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.NEW, inactive_threshold=5),
        )
        body = {"submission_id": submission_id, "region_code": region[name], "occurred_on": "2019-03-01"}
        ack = await js.publish(subjects.inbox(name, "region.enroll"), json.dumps(body).encode(), stream=subjects.INBOX_STREAM)
        matrix.allowed(f"{name} submits to its inbox", ack.seq > 0)
        outcome = json.loads((await live.next_msg(timeout=15)).data)
        matrix.allowed(f"{name} receives its outcome live", outcome["status"] == "accepted" and outcome["submission_seq"] == ack.seq)
        followed = json.loads((await follower.next_msg(timeout=5)).data)
        matrix.allowed(f"{name} follows its outcomes with a consumer", followed["submission_id"] == submission_id)

        async def stored(subject=outcome_subject, js=js):
            try:
                return await js.get_last_msg(subjects.OUTCOMES_STREAM, subject, direct=True)
            except NotFoundError:  # its mirror follows the platform's outcomes a moment later
                return None

        matrix.allowed(f"{name} reads its outcome back", json.loads((await eventually(stored)).data)["submission_id"] == submission_id)
        recent = await StreamReader(nc, subjects.OUTCOMES_STREAM).read(subjects.outcome(name, ">"))  # as `ogi outcomes` does
        matrix.allowed(f"{name} reads its recent outcomes", [json.loads(message.data)["submission_id"] for message in recent][-1:] == [submission_id])
    nc = users["bappenas"].nc
    submission_id = new_id("bappenas")
    live = await nc.subscribe(subjects.outcome("bappenas", submission_id))
    body = {"submission_id": submission_id, "region_code": "73.71", "occurred_on": "2019-03-01", "claim_event_id": "00000000-0000-4000-8000-000000000000"}
    ack = await nc.jetstream().publish(subjects.inbox("bappenas", "claim.verify"), json.dumps(body).encode(), stream=subjects.INBOX_STREAM)
    outcome = json.loads((await live.next_msg(timeout=15)).data)
    matrix.allowed("bappenas verifies a claim and hears its outcome", outcome["code"] == "claim_not_found" and outcome["submission_seq"] == ack.seq)
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

        async def listed(bucket=bucket) -> bool:
            try:
                return "national.enrolled" in await bucket.keys()
            except NoKeysError:  # nats-py's keys() says so, now and then, when its info request outruns the first key
                return False

        matrix.allowed(f"{name} lists the indicators' keys", await eventually(listed))

        async def watched(watcher=watchers[name]) -> bool:
            entry = await watcher.updates(timeout=5)
            return entry is not None and entry.key == "national.enrolled" and json.loads(entry.value)["count"] == 2

        matrix.allowed(f"{name} watches the indicators change", await eventually(watched))
        await watchers[name].stop()
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


async def test_a_data_dir_keeps_its_streams_when_secure_is_switched_on_and_off(tmp_path):
    store, directory = tmp_path / "nats", tmp_path / "credentials"
    admin = credentials.credentials_file(directory, permissions.ADMIN)
    runs = [
        EmbeddedNats(store, free_port()),
        EmbeddedNats(store, free_port(), authorization=accounts.server_config(credentials.ensure(directory))),
        EmbeddedNats(store, free_port()),
    ]
    last_seq = None
    for server in runs:
        server.start()
        try:
            nc = await connect(server.url, "operator", credentials=admin if server.authorization else None)
            await streams.declare(nc)
            ack = await nc.jetstream().publish(subjects.event("registry", "73.71", "RegionEnrolled"), b"{}", stream=subjects.EVENTS_STREAM)
            assert last_seq is None or ack.seq == last_seq + 1, "the events stored before were not there"
            last_seq = ack.seq
            await nc.close()
        finally:
            server.stop()


async def test_the_deploy_config_is_current_and_takes_its_hashes_from_the_environment(tmp_path, monkeypatch):
    deployed = Path(__file__).parents[2] / "deploy" / "nats" / "auth.conf"
    assert deployed.read_text() == accounts.deploy_config(), "run `python -m ogi.accounts > deploy/nats/auth.conf`"
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


async def _api_request(nc, subject: str, body: dict) -> dict:
    """A JetStream API request made by hand; its error answered as nats-py's own calls raise it."""
    answer = json.loads((await nc.request(subject, json.dumps(body).encode(), timeout=0.5)).data)
    if "error" in answer:
        raise APIError.from_error(answer["error"])
    return answer


async def test_evidence_is_written_by_the_gateway_alone_and_read_as_far_as_each_user_needs(users, secure_nats):
    """The gateway stores files and reads them back (the workspace previews them); training and plans see only
    whether one is there; the indicators service reads them, the events naming them and tokens one by one; no
    ministry reaches OGI_EVIDENCE at all."""
    matrix = Matrix()
    content = b"%PDF-1.4\n" + new_id().encode()
    stored, created = await EvidenceStore(users["gateway"].nc).put(content, "application/pdf")
    matrix.allowed("the gateway stores a file", created)
    _, token = await TokenStore(users[permissions.ADMIN].nc).create(Ministry.KEMENDAGRI)
    for service in permissions.EVIDENCE_DECIDERS:
        store = EvidenceStore(users[service].nc, timeout=2)
        matrix.allowed(f"{service} sees a file is there", await store.info(stored.sha256) == stored)
        matrix.allowed(f"{service} sees a file is not", await store.missing(["0" * 64]) == ["0" * 64])
    indicators = users["indicators"].nc
    read = b"".join([chunk async for chunk in EvidenceStore(indicators, timeout=2).content(stored)])
    matrix.allowed("indicators reads a file", read == content)
    await EvidenceIndex(indicators).catch_up()
    matrix.allowed("indicators reads the events naming files", True)
    verified = await TokenStore(indicators).verify(token)
    matrix.allowed("indicators verifies a token", verified is not None and verified.organisation == Ministry.KEMENDAGRI)
    gateway = users["gateway"].nc
    read = b"".join([chunk async for chunk in EvidenceStore(gateway, timeout=2).content(stored)])
    matrix.allowed("the gateway reads a file back", read == content)
    await EvidenceIndex(gateway).catch_up()
    matrix.allowed("the gateway reads the events naming files", True)

    chunks, metas = subjects.evidence_chunks("x"), subjects.evidence_meta("0" * 64)
    content_reads = (f"$JS.API.DIRECT.GET.{subjects.EVIDENCE_STREAM}", f"$JS.API.STREAM.MSG.GET.{subjects.EVIDENCE_STREAM}")
    for service in permissions.EVIDENCE_DECIDERS:
        for subject in (*content_reads, f"$JS.API.CONSUMER.CREATE.{subjects.EVIDENCE_STREAM}", chunks, metas):
            await matrix.denied(users[service], "publish", subject, reply=True)
    await matrix.denied(users["registry"], "publish", f"$JS.API.DIRECT.GET.{subjects.EVIDENCE_STREAM}.{metas}", reply=True)
    for subject in (chunks, metas, f"$KV.{subjects.TOKENS_BUCKET}.x", f"$JS.API.CONSUMER.CREATE.KV_{subjects.TOKENS_BUCKET}"):
        await matrix.denied(users["indicators"], "publish", subject, reply=True)
    await matrix.denied(users["gateway"], "publish", content_reads[1], reply=True)  # its reads are direct gets
    for name in MINISTRIES:
        for subject in (*content_reads, f"$JS.API.DIRECT.GET.{subjects.EVIDENCE_STREAM}.{metas}", chunks, metas):
            await matrix.denied(users[name], "publish", subject, reply=True)
    for name in NON_ADMINS:
        for operation in ("DELETE", "PURGE", "MSG.DELETE"):
            await matrix.denied(users[name], "publish", f"$JS.API.STREAM.{operation}.{subjects.EVIDENCE_STREAM}", reply=True)
    assert not _service_violations(secure_nats), "a service was refused something it needs"


async def test_accounts_and_sessions_are_the_gateways_alone(users, secure_nats):
    """The operator makes accounts; the gateway signs people in, keeps their sessions and reads a region's events
    (to preview a spreadsheet); no ministry and no other service reaches the accounts or the sessions."""
    matrix = Matrix()
    email = f"{new_id()}@kemendagri.go.id"
    _, code = await PeopleStore(users[permissions.ADMIN].nc).add(Ministry.KEMENDAGRI, email)
    gateway = users["gateway"].nc
    person = await PeopleStore(gateway).activate(email, code, "a long enough passphrase")
    matrix.allowed("the gateway activates an account", (await PeopleStore(gateway).sign_in(email, "a long enough passphrase")).id == person.id)
    sessions = Sessions(gateway)
    await sessions.start()
    session, cookie = await sessions.make(person.id)
    matrix.allowed("the gateway keeps sessions", await sessions.find(cookie) == session)
    history = await EventStore(gateway, timeout=2).read(subjects.region_history("73.71"))
    matrix.allowed("the gateway reads a region's events", history.events == ())
    seq = (await gateway.jetstream().publish("ogi.inbox.kominfo.region.enroll", b"{}", stream=subjects.INBOX_STREAM)).seq
    stored = await StreamReader(gateway, subjects.INBOX_STREAM, timeout=2).at(seq)
    matrix.allowed("the gateway reads a submission it stored", stored is not None and stored.data == b"{}")

    private = []
    for bucket in (subjects.PEOPLE_BUCKET, subjects.SESSIONS_BUCKET):
        stream = streams.bucket_stream(bucket)
        private += [f"$KV.{bucket}.x", f"$JS.API.STREAM.MSG.GET.{stream}", f"$JS.API.DIRECT.GET.{stream}.$KV.{bucket}.x", f"$JS.API.CONSUMER.CREATE.{stream}"]
    for name in (*MINISTRIES, *permissions.DECIDING_SERVICES, "indicators"):
        for subject in private:
            await matrix.denied(users[name], "publish", subject, reply=True)
    await matrix.denied(users["gateway"], "publish", subjects.event("registry", "73.71", "RegionEnrolled"), reply=True)
    assert matrix.counts["denied"] == (len(MINISTRIES) + len(permissions.DECIDING_SERVICES) + 1) * len(private) + 1


OBSERVERS = ["tii", "infid"]


async def submit_and_hear(user: User, kind: str, body: dict) -> dict:
    """Publish to `user`'s own inbox as a JetStream publish and hear its outcome live, as the contract says."""
    live = await user.nc.subscribe(subjects.outcome(user.name, body["submission_id"]))
    ack = await user.nc.jetstream().publish(subjects.inbox(user.name, kind), json.dumps(body).encode(), stream=subjects.INBOX_STREAM)
    outcome = json.loads((await live.next_msg(timeout=15)).data)
    await live.unsubscribe()
    assert outcome["submission_seq"] == ack.seq
    return outcome


async def test_an_observer_disputes_over_nats_and_reaches_nothing_else(secure_nats, users, services):
    """Observers registered while the server runs get their accounts by a reload, which keeps every other user
    connected; each disputes through its own inbox and hears its own outcomes and the indicators, nothing more."""
    admin = users[permissions.ADMIN].nc
    for name in OBSERVERS:
        await ObserverRegistry(admin).add(name, f"Observer {name}")
    made = ObserverUsers(secure_nats, secure_nats.credentials).add(OBSERVERS)  # as `ogi up --secure` does
    assert [line.split(":")[0] for line in made] == ["observer infid", "observer tii"]
    observers = {name: await User(name).connect(secure_nats.url, secure_nats.credentials) for name in OBSERVERS}
    try:
        matrix = Matrix()
        kemendagri = users["kemendagri"]  # connected before the reload
        day = {"region_code": "73.71", "occurred_on": "2019-03-01"}
        enrolled = await submit_and_hear(kemendagri, "region.enroll", {"submission_id": new_id(), **day})
        trained = await submit_and_hear(
            kemendagri, "training.complete", {"submission_id": new_id(), **day, "session_id": new_id("session"), "participants": 25}
        )
        matrix.allowed("a ministry connected before the reload still submits", (enrolled["status"], trained["status"]) == ("accepted", "accepted"))
        tii = observers["tii"]
        dispute = {"submission_id": new_id("tii"), **day, "claim_event_id": trained["event_id"], "reason": "peserta lebih sedikit"}
        matrix.allowed("tii disputes a claim and hears its outcome", (await submit_and_hear(tii, "claim.dispute", dispute))["status"] == "accepted")
        unknown = {**dispute, "submission_id": new_id("tii"), "claim_event_id": "00000000-0000-4000-8000-000000000000"}
        matrix.allowed("tii hears a refusal", (await submit_and_hear(tii, "claim.dispute", unknown))["code"] == "claim_not_found")
        matrix.allowed("tii subscribes to the indicators", not await tii.refused("subscribe", "ogi.indicators.national.enrolled", patience=0.2))

        for name, observer in observers.items():
            for kind in (*subjects.KINDS, "claim.verify", "claim.return", "claim.amend"):
                await matrix.denied(observer, "publish", subjects.inbox(name, kind), reply=True)
            for other in (*MINISTRIES, *(other for other in OBSERVERS if other != name)):
                await matrix.denied(observer, "publish", subjects.inbox(other, "claim.dispute"), reply=True)
                await matrix.denied(observer, "subscribe", subjects.outcome(other, ">"))
            for subject in (
                subjects.outcome(name, "forged"),
                subjects.event("verification", "73.71", "ClaimDisputed"),
                f"$JS.API.STREAM.INFO.{subjects.INBOX_STREAM}",
                f"$JS.API.DIRECT.GET.{subjects.OUTCOMES_STREAM}.{subjects.outcome(name, 'x')}",
                f"$JS.API.CONSUMER.CREATE.{subjects.OUTCOMES_STREAM}",
                f"$JS.API.STREAM.CREATE.{name}",
                f"{account_mirrors.PLATFORM_API}.STREAM.INFO.{subjects.OUTCOMES_STREAM}",
                f"$KV.{subjects.OBSERVERS_BUCKET}.{name}",
            ):
                await matrix.denied(observer, "publish", subject, reply=True)
            for subject in ("ogi.outcome.>", "ogi.inbox.>", "_INBOX_gateway.>"):
                await matrix.denied(observer, "subscribe", subject)
        for name in (*MINISTRIES, *permissions.DECIDING_SERVICES, "indicators"):  # only the gateway submits for an observer
            await matrix.denied(users[name], "publish", subjects.inbox("tii", "claim.dispute"), reply=True)
        await matrix.denied(users["kemendagri"], "subscribe", subjects.outcome("tii", ">"))
        assert not _service_violations(secure_nats), "a service was refused something it needs"
    finally:
        for user in observers.values():
            await user.nc.close()


async def test_a_ministry_hears_the_notices_of_its_own_claims_and_no_one_elses(users, services, secure_nats):
    matrix = Matrix()
    for name in MINISTRIES:
        for other in MINISTRIES:
            if other != name:
                await matrix.denied(users[name], "subscribe", subjects.notice(other, "claim.returned"))
        await matrix.denied(users[name], "subscribe", "ogi.notice.>")
        await matrix.denied(users[name], "publish", subjects.notice(name, "claim.returned"))
    for name in RELATED + ["bappenas"]:  # no claims of their own
        await matrix.denied(users[name], "subscribe", subjects.notice(name, ">"))
    for name in (*(service for service in DECIDING_SERVICES if service != "verification"), "indicators", "gateway"):
        await matrix.denied(users[name], "publish", subjects.notice("kemendagri", "claim.returned"))

    regions = {"kemendagri": "73.71", "kominfo": "32.73"}
    listening = {name: await users[name].nc.subscribe(subjects.notice(name, ">")) for name in regions}
    returned = {}
    for name, region in regions.items():  # both listen while each ministry's claim is returned
        common = {"region_code": region, "occurred_on": "2019-04-01"}
        assert (await submit_and_hear(users[name], "region.enroll", {"submission_id": new_id(name), **common}))["status"] == "accepted"
        training = {"submission_id": new_id(name), **common, "session_id": "tot-1", "participants": 20}
        claim = (await submit_and_hear(users[name], "training.complete", training))["event_id"]
        returning = {"submission_id": new_id("bappenas"), **common, "claim_event_id": claim, "reason": "unsigned"}
        returned[name] = (claim, (await submit_and_hear(users["bappenas"], "claim.return", returning))["event_id"])
    for name, subscription in listening.items():
        notice = json.loads((await subscription.next_msg(timeout=15)).data)
        matrix.allowed(f"{name} hears its claim returned", (notice["claim_event_id"], notice["event_id"]) == returned[name])
        with contextlib.suppress(NatsTimeout):  # the good outcome: nothing more, in particular not the other's
            extra = await subscription.next_msg(timeout=0.5)
            pytest.fail(f"{name} heard {extra.subject}: {extra.data!r}")
        await subscription.unsubscribe()
    assert not _service_violations(secure_nats), "a service was refused something it needs"
