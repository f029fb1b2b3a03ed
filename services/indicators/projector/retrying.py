"""Waiting out a database that is away: the same action again, a little later each time."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError

log = logging.getLogger("ogi.projector")

RETRY_DELAY_MAX = 10.0


def retry_delay(attempt: int) -> float:
    return min(0.2 * 2**attempt, RETRY_DELAY_MAX)


async def until_database_answers(action: Callable[[], Awaitable[None]], failed: str, fatal: tuple[type[Exception], ...] = (IntegrityError,)) -> None:
    """`action()` again after each failure (logged as `failed`), waiting longer each time; an error of the
    data itself (`fatal`) is raised, since trying again cannot mend it."""
    attempt = 0
    while True:
        try:
            return await action()
        except fatal:
            raise
        except Exception as error:
            attempt += 1
            log.warning("%s (attempt %s): %r", failed, attempt, error)
            await asyncio.sleep(retry_delay(attempt))
