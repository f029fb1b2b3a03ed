import asyncio

from services.gateway.app import GatewayService
from shared.runtime import prepare_process, serve
from shared.settings import Settings

prepare_process("gateway")
service = GatewayService(Settings())
asyncio.run(serve(service.http, service.settings.http_host, service.settings.http_port, service.start, service.stop))
