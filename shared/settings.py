"""Settings from `OGI_*` environment variables (CONTRACT.md, "Running it")."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OGI_")

    data_dir: Path = Path(".ogi")
    nats_url: str | None = None
    nats_port: int = 4222
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    database_url: str | None = None
    # A file holding the database URL instead (a mounted Secret), so that its password stays out of the environment.
    database_url_file: Path | None = None
    # A JSON file {"user", "password"} or {"user", "nkey_seed"} (docs/security.md); none: no authentication.
    nats_credentials: Path | None = None
    replicas: int = 1
    # The NATS server's monitoring address (http://host:8222): when given, readiness reports the server's own
    # health, which names a stream that cannot write (its disk full) while connections still work.
    nats_monitor_url: str | None = None
    # JetStream's duplicate window on OGI_EVENTS and OGI_OUTCOMES (OGI_INBOX keeps none: shared/streams.py).
    duplicate_window: float = 120.0

    @property
    def resolved_nats_url(self) -> str:
        return self.nats_url or f"nats://127.0.0.1:{self.nats_port}"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.database_url_file:
            return self.database_url_file.read_text().strip()
        return f"sqlite:///{(self.data_dir / 'ogi.db').resolve()}"
