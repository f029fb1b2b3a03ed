"""How a service process starts: logging, then the app until SIGINT/SIGTERM."""

import logging
import os

from faststream import FastStream


def configure_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("OGI_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


async def run_service(app: FastStream) -> None:
    configure_logging()
    await app.run()
