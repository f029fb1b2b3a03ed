"""Reading a deployment's public log API, as `ogi verify` and a witness do: an answer other than 200, or
none, is one line naming the address and what came back."""

import httpx


def answer(client: httpx.Client, path: str, failure: type[Exception], **params) -> httpx.Response:
    """GET `path`; `failure(line)` is raised when it does not answer 200."""
    try:
        response = client.get(path, params=params)
    except httpx.HTTPError as error:
        raise failure(f"{client.base_url} did not answer {path}: {type(error).__name__}") from None
    if response.status_code != 200:
        raise failure(f"{client.base_url}{path} answered {response.status_code}: {response.text[:200]}")
    return response
