import asyncio

from services.indicators.app import serve
from shared.runtime import configure_logging
from shared.settings import Settings

configure_logging()
asyncio.run(serve(Settings()))
