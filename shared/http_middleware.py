"""What every service's HTTP side answers the same way: HEAD wherever GET is answered, and the headers that
keep a browser from sniffing types, framing the pages or loading anything from elsewhere."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_REFERRER = (b"referrer-policy", b"no-referrer")
SECURITY_HEADERS = [NOSNIFF, (b"x-frame-options", b"DENY"), NO_REFERRER]
# The pages load only their own scripts, styles and data: no CDN, no inline script, never in a frame.
CONTENT_SECURITY_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's API explorers load their scripts from a CDN: they keep the other headers only.
EXPLORERS = ("/docs", "/redoc")
# Evidence files the workspace previews in its own pages (a PDF in a frame): this path alone may be framed, and
# only by a page of the same site; the file itself loads nothing and runs nothing.
PREVIEWED_IN_FRAMES = "/workspace/api/evidence/"
PREVIEW_HEADERS = [
    NOSNIFF,
    (b"x-frame-options", b"SAMEORIGIN"),
    NO_REFERRER,
    (b"content-security-policy", b"default-src 'none'; img-src 'self'; object-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"),
]


class _HeadersSent(Exception):
    """A HEAD request's answer is complete once its headers are: the rest of a GET's body is not made."""


class HardenedHttp:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        head = scope["method"] == "HEAD"
        headers = _headers_for(scope["path"])

        async def hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            elif head and message["type"] == "http.response.body":
                await send({"type": "http.response.body", "body": b""})
                raise _HeadersSent
            await send(message)

        try:
            await self.app({**scope, "method": "GET"} if head else scope, receive, hardened)
        except _HeadersSent:
            pass
        except BaseExceptionGroup as group:  # a streaming response's task group wraps it
            _, rest = group.split(_HeadersSent)
            if rest is not None:
                raise rest from group


def _headers_for(path: str) -> list[tuple[bytes, bytes]]:
    if path.startswith(PREVIEWED_IN_FRAMES):
        return PREVIEW_HEADERS
    if path.startswith(EXPLORERS):
        return SECURITY_HEADERS
    return [*SECURITY_HEADERS, (b"content-security-policy", CONTENT_SECURITY_POLICY)]
