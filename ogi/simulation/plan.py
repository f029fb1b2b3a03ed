"""The rollout, as a dated list of submissions: deterministic for a seed, no I/O.

Provinces join in waves, each under one responsible ministry; their kabupaten/kota enrol over the
following weeks; each ministry runs a training session a month for enrolled regions; plans follow training
by a few months. Real systems also resend, send typos and withdraw late, so the plan does too.
"""

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field

from shared.contracts.submissions import Sector
from shared.regions import Region, all_regions

START, END = dt.date(2018, 3, 1), dt.date(2020, 12, 15)
ENROL, PLANS = 130, 55  # enough above the targets (100 trained, 50 plans) for late withdrawals and refusals
MINISTRIES = ("kemendagri", "kominfo")
PREFIX = {"kemendagri": "kdn", "kominfo": "kmf"}
SECTORS = [str(sector) for sector in Sector]


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
        body = {"submission_id": submission_id, "region_code": region.code_2018 if region else "", "occurred_on": day.isoformat(), **fields}
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
