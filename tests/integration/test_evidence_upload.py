"""A ministry uploads its evidence files to the gateway (`PUT /api/v1/evidence`): each of the six types is
stored under its SHA-256, once; a file whose bytes are not what it claims, or over 10 MiB, is refused and not
stored; without a valid token, or as a read-only ministry, nothing is taken."""

import hashlib

import httpx
import nats
import pytest

from services.gateway.app import GatewayService
from services.gateway.config import GatewaySettings
from services.gateway.evidence import MAX_EVIDENCE_BYTES
from shared import subjects
from shared.evidence_store import EvidenceStore
from shared.ministries import Ministry
from shared.settings import Settings
from shared.tokens import TokenStore
from tests import evidence_files


class Gateway(httpx.AsyncClient):
    store: EvidenceStore
    nc: nats.NATS

    async def bearer(self, ministry: str) -> dict:
        _, token = await TokenStore(self.nc).create(Ministry(ministry))
        return {"Authorization": f"Bearer {token}"}

    async def stored_messages(self) -> int:
        return (await self.nc.jetstream().stream_info(subjects.EVIDENCE_STREAM)).state.messages


@pytest.fixture
async def gateway(tmp_path, nats_server):
    """The gateway alone on a NATS server of its own: uploading needs no deciding service."""
    settings = Settings(data_dir=tmp_path / "data", nats_url=nats_server.url)
    service = GatewayService(settings, GatewaySettings(rate_per_second=1000, burst=1000))
    await service.start()
    client = Gateway(transport=httpx.ASGITransport(app=service.http), base_url="http://gateway")
    client.nc = await nats.connect(nats_server.url)
    client.store = EvidenceStore(client.nc)
    yield client
    await client.aclose()
    await client.nc.close()
    await service.stop()


@pytest.mark.parametrize("media_type", list(evidence_files.MAKERS))
async def test_each_allowed_type_is_stored_under_its_sha256(gateway, media_type):
    content = evidence_files.MAKERS[media_type]()
    response = await gateway.put("/api/v1/evidence", content=content, headers={"Content-Type": media_type, **await gateway.bearer("kemendagri")})
    sha256 = hashlib.sha256(content).hexdigest()
    assert response.status_code == 201, response.text
    assert response.json() == {"sha256": sha256, "size": len(content), "media_type": media_type}
    stored = await gateway.store.info(sha256)
    assert stored is not None and (stored.size, stored.media_type) == (len(content), media_type)
    assert b"".join([chunk async for chunk in gateway.store.content(stored)]) == content


async def test_the_same_file_twice_is_stored_once(gateway):
    content, kominfo = evidence_files.pdf(), await gateway.bearer("kominfo")
    first = await gateway.put("/api/v1/evidence", content=content, headers={"Content-Type": "application/pdf", **kominfo})
    messages = await gateway.stored_messages()
    again = await gateway.put("/api/v1/evidence", content=content, headers={"Content-Type": "application/pdf", **await gateway.bearer("kemendagri")})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert await gateway.stored_messages() == messages == 2  # one chunk and its metadata


async def test_a_file_whose_bytes_are_not_its_declared_type_is_refused_and_not_stored(gateway):
    kemendagri = await gateway.bearer("kemendagri")
    for declared, content in (("image/png", evidence_files.pdf()), ("text/csv", evidence_files.pdf()), (evidence_files.DOCX, evidence_files.xlsx())):
        refused = await gateway.put("/api/v1/evidence", content=content, headers={"Content-Type": declared, **kemendagri})
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "media_type_mismatch" and "the file's bytes are" in refused.json()["detail"]
    unsupported = await gateway.put("/api/v1/evidence", content=b"GIF89a", headers={"Content-Type": "image/gif", **kemendagri})
    assert (unsupported.status_code, unsupported.json()["code"]) == (415, "unsupported_media_type")
    empty = await gateway.put("/api/v1/evidence", content=b"", headers={"Content-Type": "text/csv", **kemendagri})
    assert (empty.status_code, empty.json()["code"]) == (422, "empty")
    assert await gateway.stored_messages() == 0


async def test_a_file_over_10_mib_is_refused_without_reading_past_the_limit_and_not_stored(gateway):
    kemendagri = await gateway.bearer("kemendagri")
    over = b"%PDF-" + b"0" * (MAX_EVIDENCE_BYTES + 1 - 5)
    declared = await gateway.put("/api/v1/evidence", content=over, headers={"Content-Type": "application/pdf", **kemendagri})
    assert (declared.status_code, declared.json()["code"]) == (413, "too_large")

    sent = 0
    much_more = over + b"0" * (4 * 1024 * 1024)

    async def streamed():  # no Content-Length: the body is read as it arrives
        nonlocal sent
        for start in range(0, len(much_more), 64 * 1024):
            sent += len(much_more[start : start + 64 * 1024])
            yield much_more[start : start + 64 * 1024]

    chunked = await gateway.put("/api/v1/evidence", content=streamed(), headers={"Content-Type": "application/pdf", **kemendagri})
    assert (chunked.status_code, chunked.json()["code"]) == (413, "too_large")
    assert sent <= MAX_EVIDENCE_BYTES + 64 * 1024, "the body was read past the chunk that went over the limit"
    assert await gateway.stored_messages() == 0

    at_the_limit = over[:MAX_EVIDENCE_BYTES]
    stored = await gateway.put("/api/v1/evidence", content=at_the_limit, headers={"Content-Type": "application/pdf", **kemendagri})
    assert stored.status_code == 201 and stored.json()["size"] == MAX_EVIDENCE_BYTES


async def test_only_a_valid_token_of_a_ministry_that_may_upload_stores_a_file(gateway):
    content = evidence_files.png()
    anonymous = await gateway.put("/api/v1/evidence", content=content, headers={"Content-Type": "image/png"})
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    read_only = await gateway.put("/api/v1/evidence", content=content, headers={"Content-Type": "image/png", **await gateway.bearer("ksp")})
    assert (read_only.status_code, read_only.json()["code"]) == (403, "not_permitted")
    assert await gateway.stored_messages() == 0
    secretariat = await gateway.put("/api/v1/evidence", content=content, headers={"Content-Type": "image/png", **await gateway.bearer("bappenas")})
    assert secretariat.status_code == 201
