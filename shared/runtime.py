"""How a service process starts: logging, then the app until SIGINT/SIGTERM."""

import logging
import os

import nats.errors
from faststream import FastStream

log = logging.getLogger("ogi.runtime")


def configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("OGI_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


async def run_service(app: FastStream) -> None:
    configure_logging()
    try:
        await app.run()
    except (nats.errors.ConnectionReconnectingError, nats.errors.ConnectionClosedError):
        log.warning("NATS was gone while stopping; unacknowledged submissions will be redelivered")
