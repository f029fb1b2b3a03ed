"""A process of its own that receives events for a projector far behind the stream.

A projector catching up does two kinds of work in Python: receiving (nats-py's parsing of each delivery)
and applying (decoding, the read model, the SQL). In one process they take turns at the interpreter lock,
and the database thread, which gives the lock up for each row it writes, waits for it most of all. While
the projector is far behind, a child process (`python -m services.indicators.projector.receiver NATS_URL FIRST`)
reads OGI_EVENTS from FIRST (services.indicators.projector.pull) and writes what arrives to its stdout, in runs,
each a pickled list of arrivals (stream sequence, time, the event read from its JSON, trace headers); the
projector takes them from the pipe and applies them as it applies what it receives itself. Reading the
JSON here as well takes that work off the projector's interpreter lock, which its database thread needs.
When the projector falls behind, its bounded buffer fills, the pipe fills, the child's writes wait, it
stops taking deliveries and asking for more, and the server sends at most what the child asked for.

The child only reads: what is applied, and the checkpoint, stay with the projector, so the child ending
at any point loses nothing. It ends when its stdin closes (the projector has gone) or when it is killed.
"""

import asyncio
import logging
import os
import pickle
import struct
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from nats.aio.msg import Msg

from services.indicators.projector import arrivals, pull
from services.indicators.projector.arrivals import Arrival
from services.indicators.projector.recorded import read_directly
from services.indicators.tlog.merkle import leaf_hash
from shared.natsconn import CREDENTIALS_VARIABLE, connect

log = logging.getLogger("ogi.receiver")

RUN_MOST = 1000  # deliveries in one write to the pipe
TRACE_HEADERS = ("traceparent", "tracestate")
_SIZE = struct.Struct("!I")


class ReceiverFailed(Exception):
    """The child ended or wrote something unreadable; the projector goes on receiving by itself."""


@dataclass(frozen=True)
class ReceiverProcess:
    """How to start a receiving child: the NATS it connects to, with the projector's credentials."""

    nats_url: str
    credentials: Path | None = None

    async def start(self, first: int) -> "Receiving":
        environment = dict(os.environ)
        if self.credentials is not None:
            environment[CREDENTIALS_VARIABLE] = str(self.credentials)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            self.nats_url,
            str(first),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=environment,
        )
        return Receiving(process)


class Receiving:
    """A running child, read by the projector."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        if process.stdin is None or process.stdout is None:
            raise ValueError("a receiving process is read through pipes to its stdin and stdout")
        self.process = process
        self._stdin, self._stdout = process.stdin, process.stdout

    async def runs(self) -> AsyncIterator[list[Arrival]]:
        """What the child receives, a run at a time, until it ends (ReceiverFailed)."""
        reader = self._stdout
        while True:
            try:
                (size,) = _SIZE.unpack(await reader.readexactly(_SIZE.size))
                run = pickle.loads(await reader.readexactly(size))  # written by our own child, over our own pipe
            except (asyncio.IncompleteReadError, pickle.UnpicklingError, ValueError) as error:
                await self.stop()
                raise ReceiverFailed(f"the receiving process ended (status {self.process.returncode}): {error!r}") from error
            yield run

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        self._stdin.close()
        # Read to the end: a process is waited for only once its pipes have closed, and the projector may
        # have stopped reading this one (it holds what it has, waiting for a batch to be written).
        await self._stdout.read()
        await self.process.wait()


async def _forward(nats_url: str, first: int) -> None:
    """The child's work: the ordered consumer from `first`, each run written to stdout as it arrives."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, sys.stdout.buffer)
    out = asyncio.StreamWriter(transport, protocol, None, loop)
    parent = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(parent), sys.stdin.buffer)
    parent_gone = asyncio.ensure_future(parent.read())

    nc = await connect(nats_url, name="ogi-indicators-receiver")

    async def forward() -> None:
        async for run in pull.runs(nc, first, RUN_MOST):
            received = [_read(message) for message in run]
            body = pickle.dumps(received, protocol=pickle.HIGHEST_PROTOCOL)
            out.write(_SIZE.pack(len(body)) + body)
            await out.drain()

    forwarding = asyncio.ensure_future(forward())
    await asyncio.wait([parent_gone, forwarding], return_when=asyncio.FIRST_COMPLETED)
    forwarding.cancel()
    await nc.close()
    if forwarding.done() and not forwarding.cancelled() and (error := forwarding.exception()) is not None:
        raise error


def _read(message: Msg) -> Arrival:
    """The delivery with its event read (at its type's current version, see recorded.py), or with its
    payload as it is when it cannot be read (an unknown type or schema version among others): the
    projector reads it again, and stops there saying why."""
    seq, stored_ns, _, _, headers, _ = arrivals.arrival(message, _trace_headers(message.headers))
    payload = message.data
    try:
        event, data_json = read_directly(payload)
    except Exception:
        return seq, stored_ns, payload, None, headers, None
    return seq, stored_ns, event, data_json, headers, leaf_hash(payload)


def _trace_headers(headers: dict[str, str] | None) -> dict[str, str] | None:
    if not headers:
        return None
    return {name: headers[name] for name in TRACE_HEADERS if name in headers} or None


if __name__ == "__main__":
    from shared import logs

    logs.configure()
    try:
        asyncio.run(_forward(sys.argv[1], int(sys.argv[2])))
    except (BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # the projector has gone
    except Exception:
        log.exception("receiving for the projector failed")
        sys.exit(1)
