"""Where a service finds its read model's database: OGI_DATABASE_URL, or the file OGI_DATABASE_URL_FILE names
(a mounted Secret, as in the Kubernetes manifests), or SQLite under the data directory."""

from shared.settings import Settings

URL = "postgresql://ogi:secret@postgres:5432/ogi"


def test_a_mounted_secret_file_gives_the_database_url(tmp_path, monkeypatch):
    monkeypatch.delenv("OGI_DATABASE_URL", raising=False)
    secret = tmp_path / "url"
    secret.write_text(URL + "\n")  # as `kubectl create secret --from-file` keeps a trailing newline
    monkeypatch.setenv("OGI_DATABASE_URL_FILE", str(secret))
    assert Settings().resolved_database_url == URL


def test_the_url_itself_wins_over_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("OGI_DATABASE_URL", URL)
    monkeypatch.setenv("OGI_DATABASE_URL_FILE", str(tmp_path / "absent"))
    assert Settings().resolved_database_url == URL


def test_without_either_the_read_model_is_sqlite_under_the_data_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("OGI_DATABASE_URL", raising=False)
    monkeypatch.delenv("OGI_DATABASE_URL_FILE", raising=False)
    assert Settings(data_dir=tmp_path).resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'ogi.db'}"
