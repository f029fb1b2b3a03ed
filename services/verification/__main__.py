import asyncio

from services.verification.app import create_service
from shared.runtime import prepare_process, serve

prepare_process("verification")
service = create_service()
asyncio.run(serve(service.http, service.settings.http_host, service.settings.http_port, service.start, service.stop))
