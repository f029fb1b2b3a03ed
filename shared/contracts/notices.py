"""What a ministry is told on `ogi.notice.<ministry>.claim.returned|claim.disputed` when one of its claims is
returned by the secretariat or disputed by an observer. A convenience for the ministry's systems, published on
core NATS after the event is stored (at least once, not stored, none while nobody listens): the event store is
the record, and `GET /api/v1/claims?state=returned&ministry=…` lists what a notice may have missed."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class ClaimNotice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = Field(default=1, description="this notice's shape; fields are only ever added")
    claim_event_id: str = Field(description="the claim: a training's or a plan's event id")
    region_code: str = Field(description="the claim's kabupaten/kota")
    reason: str = Field(description="the secretariat's reason for returning it, or the observer's for disputing it")
    event_id: str = Field(description="the ClaimReturned or ClaimDisputed event, in OGI_EVENTS")
    occurred_on: dt.date = Field(description="the day the claim was returned or disputed")
    reported_by: str = Field(description="who acted: `bappenas`, or the observer's id")
