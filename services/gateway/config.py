"""The gateway's own settings, from `OGI_GATEWAY_*` variables."""

import datetime as dt

from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OGI_GATEWAY_")

    max_body_bytes: int = 64 * 1024
    outcome_wait_seconds: float = 5.0
    rate_per_second: float = 10.0  # per token, sustained
    burst: int = 20  # per token, at once
    failures_per_minute: int = 10  # requests without a valid token, per client address
    evidence_uploads_at_once: int = 8  # each holds its file (up to 10 MiB) in memory while it is checked and stored
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)  # a workspace session's, from sign-in (at most a day)
    dashboard_url: str = "http://127.0.0.1:8000/"  # the workspace links each region to its page there
    indicators_url: str = "http://127.0.0.1:8000"  # the indicators service, whose claims API the workspace reads
    indicators_timeout_seconds: float = 5.0  # a claims read that takes longer is answered 503 indicators_unavailable
    trace_url: str | None = None  # e.g. "http://jaeger:16686/trace/{trace_id}": the workspace links each outcome's trace
