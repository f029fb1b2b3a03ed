import asyncio

from services.indicators.app import serve
from shared.runtime import prepare_process
from shared.settings import Settings

prepare_process("indicators")
asyncio.run(serve(Settings()))
