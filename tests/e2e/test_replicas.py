"""`ogi up --replicas` as an operator meets it: against a real three-node NATS cluster it declares every stream
and bucket with three replicas; against streams with fewer it refuses, says what to do, and changes nothing."""

import json

import nats
import pytest

from shared import streams, subjects
from tests.cluster import running_cluster
from tests.e2e.conftest import Ogi, free_http_port, run
from tests.support import eventually

STREAMS = [subjects.INBOX_STREAM, subjects.EVENTS_STREAM, subjects.OUTCOMES_STREAM]
BUCKET_STREAMS = [streams.bucket_stream(bucket) for bucket in (subjects.INDICATORS_BUCKET, subjects.SUBMISSIONS_BUCKET, subjects.TOKENS_BUCKET)]


@pytest.fixture
def cluster(tmp_path):
    with running_cluster(tmp_path / "cluster") as running:
        yield running


async def test_ogi_up_on_a_cluster_keeps_three_copies_of_every_stream_and_bucket(cluster, tmp_path):
    ogi = Ogi("up", "--data-dir", str(tmp_path / "data"), "--nats-url", cluster.url, "--replicas", "3", "--http-port", str(free_http_port()), cwd=tmp_path)
    try:
        ogi.wait_for("Dashboard")
        assert ogi.line_starting("Streams") == "Streams    3 replicas each, buckets too"
        nc = await nats.connect(cluster.urls)
        js = nc.jetstream()
        for name in STREAMS + BUCKET_STREAMS:
            info = await js.stream_info(name)
            assert info.config.num_replicas == 3, name
            assert info.cluster is not None and len(info.cluster.replicas or []) == 2, name  # two followers beside the leader

        # The services run against the cluster: a submission gets its outcome.
        body = {"submission_id": "r3-1", "region_code": "73.71", "occurred_on": "2019-05-01"}
        await js.publish("ogi.inbox.kemendagri.region.enroll", json.dumps(body).encode(), headers={"Nats-Msg-Id": "r3-1"})

        async def outcome():
            try:
                message = await js.get_last_msg(subjects.OUTCOMES_STREAM, subjects.outcome("kemendagri", "r3-1"))
            except nats.js.errors.NotFoundError:
                return None
            return json.loads(message.data or b"")

        assert (await eventually(outcome))["status"] == "accepted"
        await nc.close()
    finally:
        ogi.process.terminate()
        assert ogi.process.wait(30) == 0, ogi.output


async def test_replicas_3_refuses_streams_and_buckets_with_fewer_and_changes_nothing(cluster, tmp_path):
    nc = await nats.connect(cluster.urls)
    js = nc.jetstream()
    await streams.declare(nc, replicas=1)
    await js.delete_key_value(subjects.TOKENS_BUCKET)  # a missing bucket must not be created either

    result = run("up", "--data-dir", str(tmp_path / "data"), "--nats-url", cluster.url, "--replicas", "3", "--http-port", str(free_http_port()), cwd=tmp_path)

    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    for name in STREAMS:
        assert f"stream {name} has 1 replica, needs 3 (`nats stream edit {name} --replicas 3`)" in message
    for bucket in (subjects.INDICATORS_BUCKET, subjects.SUBMISSIONS_BUCKET):
        assert f"bucket {bucket} has 1 replica, needs 3 (`nats stream edit KV_{bucket} --replicas 3`)" in message
    assert "ask for fewer replicas (--replicas, OGI_REPLICAS)" in message
    assert "Traceback" not in result.stderr + result.stdout
    for name in STREAMS + BUCKET_STREAMS[:2]:
        assert (await js.stream_info(name)).config.num_replicas == 1, name
    with pytest.raises(nats.js.errors.NotFoundError):
        await js.stream_info(streams.bucket_stream(subjects.TOKENS_BUCKET))
    await nc.close()


def test_replicas_without_a_cluster_is_one_clear_line(tmp_path):
    result = run("up", "--data-dir", str(tmp_path / "data"), "--replicas", "3", "--http-port", str(free_http_port()), cwd=tmp_path)
    assert result.returncode == 1
    assert "--replicas 3 needs a NATS cluster of at least 3 servers" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "data" / "nats").exists()  # no embedded server was started
