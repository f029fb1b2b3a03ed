import asyncio

from services.training.app import create_app
from shared.runtime import run_service

asyncio.run(run_service(create_app()))
