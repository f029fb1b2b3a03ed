import asyncio
import logging
import sys

from services.indicators.app import serve
from services.indicators.log_keeper import NoSigningKey
from shared.runtime import prepare_process
from shared.settings import Settings

prepare_process("indicators")
try:
    asyncio.run(serve(Settings()))
except NoSigningKey as error:  # the operator's to mend: one line, not a traceback
    logging.getLogger("ogi.indicators").error("%s", error)
    sys.exit(1)
