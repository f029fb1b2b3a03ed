"""The rollout, as a dated list of submissions: deterministic for a seed, no I/O.

Provinces join in waves, each under one responsible ministry; their kabupaten/kota enrol over the
following weeks; each ministry runs a training session a month for enrolled regions; plans follow training
by a few months. Real systems also resend, send typos and withdraw late, so the plan does too. The OGI
secretariat verifies most trainings and plans a few weeks after they are reported and returns some, which
their ministry amends with a new document; an observer disputes a few verified ones, and the secretariat
looks at them again.
"""

import datetime as dt
import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field

from shared.contracts.events import event_id_for
from shared.contracts.submissions import Sector
from shared.regions import Region, all_regions, find_region

START, END = dt.date(2018, 3, 1), dt.date(2020, 12, 15)
ENROL, PLANS = 130, 55  # enough above the targets (100 trained, 50 plans) for late withdrawals and refusals
MINISTRIES = ("kemendagri", "kominfo")
SECRETARIAT, OBSERVER = "bappenas", "tii"
OBSERVER_NAME = "Transparency International Indonesia"
PREFIX = {"kemendagri": "kdn", "kominfo": "kmf", SECRETARIAT: "bps", OBSERVER: "tii"}
SECTORS = [str(sector) for sector in Sector]
LAST_REVIEW = END + dt.timedelta(days=45)  # the secretariat's last look at what was reported in December 2020
# The document a ministry sends again when its claim is returned (ogi/simulation/run.py stores it first).
AMENDED_DOCUMENT = b"%PDF-1.4\n% OGI Tracker simulation: daftar hadir yang terbaca\n%%EOF\n"
AMENDED_EVIDENCE = [{"sha256": hashlib.sha256(AMENDED_DOCUMENT).hexdigest(), "name": "daftar-hadir-ulang.pdf", "public": False}]


@dataclass(frozen=True)
class Planned:
    day: dt.date
    ministry: str
    kind: str
    body: dict | bytes  # bytes: sent exactly so, without a Nats-Msg-Id
    headers: dict = field(default_factory=dict)


def rollout(seed: int) -> list[Planned]:
    rng = random.Random(seed)
    counter: defaultdict[str, int] = defaultdict(int)
    planned: list[Planned] = []

    def submit(day, ministry, kind, region: Region | None, **fields):
        counter[ministry] += 1
        submission_id = f"{PREFIX[ministry]}-{day.year}-{counter[ministry]:05d}"
        code = (region.code if "claim_event_id" in fields else region.code_2018) if region else ""
        body = {"submission_id": submission_id, "region_code": code, "occurred_on": day.isoformat(), **fields}
        planned.append(Planned(day, ministry, kind, body, {"Nats-Msg-Id": submission_id}))
        return body

    enrolled: dict[str, tuple[Region, str, dt.date]] = {}
    for wave_start, province_regions in _waves(rng):
        if len(enrolled) >= ENROL:
            break
        ministry = rng.choice(MINISTRIES)
        for region in province_regions:
            day = wave_start + dt.timedelta(days=rng.randrange(0, 45))
            submit(
                day,
                ministry,
                "region.enroll",
                region,
                commitment_letter_on=(day - dt.timedelta(days=rng.randrange(5, 60))).isoformat(),
                ppid_established=rng.random() < 0.7,
            )
            enrolled[region.code] = (region, ministry, day)

    trained: dict[str, dt.date] = {}
    month = dt.date(2018, 5, 1)
    while month < END:
        for ministry in MINISTRIES:
            waiting = [r for r, m, d in enrolled.values() if m == ministry and d < month and r.code not in trained]
            session = f"{PREFIX[ministry]}-tot-{month:%Y-%m}"
            for region in rng.sample(waiting, min(len(waiting), rng.randrange(3, 9))):
                day = month + dt.timedelta(days=rng.randrange(5, 25))
                submit(day, ministry, "training.complete", region, session_id=session, participants=rng.randrange(15, 41))
                trained[region.code] = day
        month = (month + dt.timedelta(days=32)).replace(day=1)

    candidates = sorted(trained.items(), key=lambda item: (item[1], item[0]))
    chosen = [item for item in candidates if rng.random() < 0.45]
    chosen += [item for item in candidates if item not in chosen][: max(0, PLANS - len(chosen))]
    for code, trained_on in chosen:
        region, ministry, _ = enrolled[code]
        day = min(trained_on + dt.timedelta(days=rng.randrange(60, 240)), END - dt.timedelta(days=rng.randrange(1, 30)))
        submit(
            day,
            ministry,
            "plan.submit",
            region,
            plan_id=f"ra-{region.token}-{day.year}",
            title=f"Rencana Aksi Keterbukaan Pemerintah {region.name}",
            sectors=rng.sample(SECTORS, rng.randrange(1, 4)),
        )

    _real_world_noise(rng, planned, enrolled, submit)
    _reviews(rng, planned, submit)
    return sorted(planned, key=lambda p: p.day)


def _waves(rng: random.Random):
    """Provinces (as they were in 2018) in a shuffled order, a wave every two months, about a third of each
    province.s kabupaten/kota taking part."""
    by_province = defaultdict(list)
    for region in all_regions():
        if region.autonomous:
            by_province[region.province_code_2018].append(region)
    provinces = sorted(by_province)
    rng.shuffle(provinces)
    day = START
    for index in range(0, len(provinces), 2):
        for province in provinces[index : index + 2]:
            regions = by_province[province]
            yield day, rng.sample(regions, max(2, len(regions) // 3))
        day = min(day + dt.timedelta(days=61), dt.date(2020, 6, 1))


def _real_world_noise(rng, planned, enrolled, submit) -> None:
    originals = [p for p in planned if p.kind == "training.complete"]
    for original in rng.sample(originals, 4):  # resent later by a system that sets no Nats-Msg-Id
        planned.append(Planned(original.day + dt.timedelta(days=2), original.ministry, original.kind, json.dumps(original.body).encode()))
    regions = sorted(enrolled.values(), key=lambda item: item[0].code)
    region, ministry, _ = regions[rng.randrange(len(regions))]
    submit(dt.date(2019, 7, 3), ministry, "training.complete", region, session_id="typo", participant=20)  # invalid: a typo
    submit(dt.date(2019, 8, 9), ministry, "region.enroll", None)  # invalid: no region code
    planned.append(Planned(dt.date(2019, 9, 1), ministry, "plan.submit", b"{broken json"))
    for region, ministry, _ in rng.sample(regions, 3):  # late withdrawals
        submit(dt.date(2020, 10, rng.randrange(1, 28)), ministry, "region.withdraw", region, reason="tidak melanjutkan program")
    region, ministry, _ = regions[0]
    other = MINISTRIES[1 - MINISTRIES.index(ministry)]
    submit(dt.date(2020, 11, 2), other, "region.enroll", region)  # already enrolled by the other ministry


def _reviews(rng: random.Random, planned: list[Planned], submit) -> None:
    """The secretariat's and an observer's part: each training and plan reported is a claim (its event id is
    known ahead, event_id_for)."""
    for claim in [p for p in planned if p.kind in ("training.complete", "plan.submit")]:
        if isinstance(claim.body, dict) and claim.body.get("session_id") != "typo":
            _review(rng, claim, submit)


def _review(rng: random.Random, claim: Planned, submit) -> None:
    """Most claims are verified some weeks later, some returned and amended, a few left pending; a few verified
    ones are disputed and looked at again."""
    assert isinstance(claim.body, dict)
    region = find_region(claim.body["region_code"])
    event_id = event_id_for(claim.ministry, claim.body["submission_id"])

    def act(day: dt.date, organisation: str, kind: str, **fields) -> dt.date | None:
        if day > LAST_REVIEW:
            return None
        submit(day, organisation, kind, region, claim_event_id=event_id, **fields)
        return day

    fate = rng.random()
    reviewed = claim.day + dt.timedelta(days=rng.randrange(14, 61))
    if fate < 0.05:
        return  # still pending
    if fate < 0.15:
        returned = act(reviewed, SECRETARIAT, "claim.return", reason="daftar hadir tidak terbaca: kirim ulang yang jelas")
        amended = returned and act(returned + dt.timedelta(days=rng.randrange(7, 31)), claim.ministry, "claim.amend", evidence=AMENDED_EVIDENCE)
        if not amended:
            return
        reviewed = amended + dt.timedelta(days=rng.randrange(7, 31))
    verified = act(reviewed, SECRETARIAT, "claim.verify", note="sesuai bukti dukung")
    if not verified or rng.random() >= 0.05:
        return
    objection = "peserta yang tercatat tidak hadir menurut pemantauan kami"
    disputed = act(verified + dt.timedelta(days=rng.randrange(20, 91)), OBSERVER, "claim.dispute", reason=objection)
    if disputed and rng.random() < 0.7:
        act(disputed + dt.timedelta(days=rng.randrange(10, 41)), SECRETARIAT, "claim.verify", note="diperiksa ulang: sesuai")
    elif disputed:
        act(disputed + dt.timedelta(days=rng.randrange(10, 41)), SECRETARIAT, "claim.return", reason="keberatan pemantau beralasan")
