"""`ogi simulate`'s rollout, played through the real contract: deterministic, and reaching the targets."""

from ogi.embedded_nats import EmbeddedNats, free_port
from ogi.simulation.plan import rollout
from ogi.simulation.run import final_indicators, play
from shared.settings import Settings
from tests.support import running_system


async def play_on_a_fresh_system(tmp_path, name: str, seed: int) -> dict:
    server = EmbeddedNats(tmp_path / name / "nats", free_port())
    server.start()
    try:
        settings = Settings(data_dir=tmp_path / name, nats_url=server.url, database_url=f"sqlite:///{tmp_path / name / 'read.db'}", http_port=free_port())
        async with running_system(settings) as system:
            summary = await play(system.nc, rollout(seed), speed=0)
            summary.indicators = await final_indicators(system.http, summary.last_event_seq)
            return summary.as_dict()
    finally:
        server.kill()


async def test_a_seed_plays_the_same_rollout_to_the_same_counts_and_past_the_targets(tmp_path):
    first = await play_on_a_fresh_system(tmp_path, "first", seed=7)
    second = await play_on_a_fresh_system(tmp_path, "second", seed=7)
    assert first == second
    counts = {(row["scope"], row["indicator"]): row["count"] for row in first["indicators"]}
    assert counts[("national", "trained")] >= 100 and counts[("national", "plans")] >= 50
    assert counts[("kemendagri", "trained")] > 0 and counts[("kominfo", "trained")] > 0
    assert first["duplicates"] >= 1 and {"invalid", "malformed", "already_enrolled"} <= set(first["rejected"])
    assert first["submissions"] == len(rollout(7))
    claims = [p for p in rollout(7) if p.kind.startswith("claim.")]
    assert {p.kind for p in claims} == {"claim.verify", "claim.return", "claim.amend", "claim.dispute"}
    assert first["accepted"] >= len(rollout(7)) - 20, "the secretariat's and the observer's decisions are taken, not refused"
