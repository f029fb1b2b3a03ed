"""StreamReader reads through the JetStream context it is given: under that context's domain, and, with a
nats-py that does not tell the context's API prefix, by nats-py's own direct gets, with the same results."""

import nats
import pytest
from nats.js.api import StreamConfig
from nats.js.errors import APIError

from ogi.embedded_nats import EmbeddedNats, free_port
from shared import nats_internals
from shared.stream_reader import READ_BATCH, StreamReader

STORED = READ_BATCH + 44  # more than one batch


class DomainNats(EmbeddedNats):
    def config(self) -> str:
        return super().config().replace("jetstream {\n", "jetstream {\n  domain: hub\n")


@pytest.fixture
async def hub(tmp_path):
    server = DomainNats(tmp_path / "nats", free_port())
    server.start()
    nc = await nats.connect(server.url)
    js = nc.jetstream(domain="hub")
    await js.add_stream(StreamConfig(name="READ", subjects=["read.>"], allow_direct=True))
    for number in range(STORED):
        await js.publish(f"read.{'even' if number % 2 == 0 else 'odd'}.{number}", b"%d" % number)
    yield nc
    await nc.close()
    server.kill()


async def everything_read(reader: StreamReader) -> tuple:
    read = await reader.read("read.even.*", after_seq=3)
    return [(stored.seq, stored.subject, stored.data) for stored in read], await reader.last("read.odd.*"), await reader.at(7)


async def test_a_reader_given_a_domains_context_reads_under_that_domain(hub):
    read, last, at = await everything_read(StreamReader(hub, "READ", js=hub.jetstream(domain="hub")))
    assert read == [(seq, f"read.even.{seq - 1}", b"%d" % (seq - 1)) for seq in range(5, STORED + 1, 2)]
    assert (last.seq, last.subject) == (STORED, f"read.odd.{STORED - 1}")
    assert (at.seq, at.data) == (7, b"6")
    elsewhere = StreamReader(hub, "READ", js=hub.jetstream(domain="elsewhere"))
    with pytest.raises(APIError) as refused:
        await elsewhere.read("read.even.*")
    assert refused.value.code == 503  # no responders: no JetStream under that domain


async def test_without_the_api_prefix_a_reader_reads_the_same_by_nats_pys_own_direct_gets(hub, monkeypatch):
    by_batches = await everything_read(StreamReader(hub, "READ", js=hub.jetstream(domain="hub")))
    monkeypatch.setattr(nats_internals, "api_prefix", lambda js: None)
    assert await everything_read(StreamReader(hub, "READ", js=hub.jetstream(domain="hub"))) == by_batches
