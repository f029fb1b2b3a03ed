"""What an observer's NATS account holds (ogi/accounts.py): its inbox, its outcomes and the indicators, exported
by the platform to it alone; an id naming a platform user gets no account."""

import pytest

from ogi import accounts, permissions
from shared.observers import check_registrable


def test_the_platform_exports_an_observers_subjects_to_its_account_alone():
    exports = {export.subject: export.accounts for export in accounts.platform_exports(["tii", "infid"])}
    assert exports["ogi.inbox.tii.claim.dispute"] == ("OBSERVER_TII",)
    assert exports["ogi.outcome.tii.>"] == ("OBSERVER_TII",)
    assert {"OBSERVER_TII", "OBSERVER_INFID"} <= set(exports["ogi.indicators.>"])
    assert [s for s in exports if ".tii." in s] == ["ogi.inbox.tii.claim.dispute", "ogi.outcome.tii.>"]


def test_an_observer_publishes_its_disputes_only_and_hears_its_own_outcomes():
    rules = permissions.observer("tii")
    assert rules.publish == ("ogi.inbox.tii.claim.dispute",)
    assert rules.subscribe == ("ogi.outcome.tii.>", "ogi.indicators.>", "_INBOX.>", "_INBOX_tii.>")
    assert not rules.allow_responses


def test_the_config_without_observers_is_the_one_before_observers():
    assert accounts.deploy_config([]) == accounts.deploy_config()
    assert "OBSERVER_" not in accounts.deploy_config()


@pytest.mark.parametrize("observer", ["gateway", "admin", "verification", "kemendagri", "Tii"])
def test_an_id_that_names_a_platform_user_or_a_ministry_gets_no_account(observer):
    with pytest.raises(ValueError):
        accounts.server_config({}, [observer])
    with pytest.raises(ValueError):
        check_registrable(observer, "Someone")
