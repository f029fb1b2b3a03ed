"""The transparency log's NATS side is what docs/asyncapi.yaml says it is: every message the running system
keeps in OGI_LOG (its key, a checkpoint, a witness's registration and cosignature) fits the schema of the
channel its subject is on, and so does the answer to an operator's checkpoint request."""

import time

from ogi.log_commands import register_witness, request_checkpoint
from services.indicators.tlog.checkpoint import Checkpoint
from services.indicators.tlog.cosignature import Cosigner, cosign
from services.indicators.tlog.note import parse_note
from shared import subjects
from shared.stream_reader import StreamReader
from tests.documented import channel_of, fits, reply_channel
from tests.scenario import append_all, region_histories


async def test_what_the_log_keeps_and_answers_on_nats_is_what_the_asyncapi_document_describes(sqlite_system):
    nc = sqlite_system.nc
    last = await append_all(nc, region_histories(seed=5)[:10])
    await sqlite_system.projected(last)
    reply = await request_checkpoint(nc)  # as `ogi log checkpoint` asks
    assert fits(reply_channel(channel_of(subjects.LOG_MAKE_CHECKPOINT)), reply), reply
    assert Checkpoint.from_text(parse_note(reply).text).size == last
    witness = Cosigner.generate("tii.or.id/witness")
    await register_witness(nc, witness.verifier())  # as `ogi log witnesses add`
    taken = await sqlite_system.http.post("/api/v1/log/cosignatures", content=cosign(reply, witness, int(time.time())).encode())
    assert taken.status_code == 201, taken.text

    seen = set()
    for message in await StreamReader(nc, subjects.LOG_STREAM).read("ogi.log.>"):
        channel = channel_of(message.subject)
        assert fits(channel, message.data.decode()), (message.subject, message.data)
        seen.add(channel)
    assert seen == {"log key", "log checkpoint", "log witness", "log cosignature"}
