"""The transparency log's signing key: made under `ogi up`'s own data dir when missing, never made in place of
one the operator named (a new key would break every check made against the old one)."""

import stat

import pytest

from services.indicators.log_keeper import NoSigningKey, signing_key


def test_a_key_is_made_once_readable_by_its_owner_only_and_read_back_after(tmp_path):
    path = tmp_path / "data" / "log-signing.key"
    made = signing_key(path, "ogi-tracker.example/log", may_make=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_key(path, "ogi-tracker.example/log", may_make=False).verifier().vkey() == made.verifier().vkey()


def test_a_key_the_operator_named_is_never_made_anew(tmp_path):
    with pytest.raises(NoSigningKey, match="ogi log new-key"):
        signing_key(tmp_path / "mounted" / "signing.key", "ogi-tracker.example/log", may_make=False)
    assert not (tmp_path / "mounted").exists()


def test_a_key_of_another_origin_is_refused(tmp_path):
    path = tmp_path / "log-signing.key"
    signing_key(path, "one.example/log", may_make=True)
    with pytest.raises(ValueError, match="not for the origin 'other.example/log'"):
        signing_key(path, "other.example/log", may_make=False)
