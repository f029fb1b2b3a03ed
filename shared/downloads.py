"""`Content-Disposition` for a stored file served under the name an event gave it (RFC 6266)."""

import re
from urllib.parse import quote

_UNSAFE_IN_QUOTES = re.compile(r'[^\x20-\x7e]|["\\]')


def content_disposition(name: str, inline: bool = False) -> str:
    """`attachment` (saved, never shown in the page) or `inline` (previewed in the page), under the file name as
    it is in `filename*` (UTF-8, percent-encoded), and in `filename` for older clients with anything but printable
    ASCII replaced."""
    fallback = _UNSAFE_IN_QUOTES.sub("_", name) or "evidence"
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
