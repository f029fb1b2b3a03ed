"""A service's HTTP app served on a real port, for tests that speak HTTP to it as a browser or another service does."""

import asyncio

import uvicorn

from tests.support import eventually


class HttpServer:
    """A service's HTTP app under uvicorn on a real port, as `ogi up` serves it."""

    def __init__(self, app, port: int) -> None:
        self.app, self.port = app, port
        self.url = f"http://127.0.0.1:{port}"
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        server = self._server = uvicorn.Server(config)
        task = self._task = asyncio.create_task(server.serve())
        await eventually(lambda: server.started or task.done())
        assert not task.done(), "uvicorn did not start"

    async def stop(self) -> None:
        assert self._server is not None and self._task is not None, "the server was not started"
        self._server.should_exit = True
        await asyncio.wait_for(self._task, timeout=10)
