"""The read model. Every table is derived from OGI_EVENTS and can be rebuilt from sequence 1."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
)

metadata = MetaData()

# The last event sequence applied, written in the same transaction as the rows it changed.
checkpoint = Table(
    "projection_checkpoint",
    metadata,
    Column("projection", String(64), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

# Every event, as the history behind `as_of` counts and region timelines.
event_log = Table(
    "event_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("region_code", String(8), nullable=False),
    Column("ministry", String(16), nullable=False),
    Column("reported_by", String(32), nullable=False),  # a ministry, or an observer (contract 1.1)
    Column("occurred_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("submission_id", String(64), nullable=False),
    Column("plan_id", String(64)),
    Column("trace_id", String(32)),
    Column("data", JSON, nullable=False),
    Index("ux_event_log_event_id", "event_id", unique=True),
    Index("ix_event_log_region_seq", "region_code", "seq"),
    Index("ix_event_log_type_occurred", "event_type", "occurred_on"),
)

region_status = Table(
    "region_status",
    metadata,
    Column("region_code", String(8), primary_key=True),
    Column("enrolled", Boolean, nullable=False),
    Column("ministry", String(16), nullable=False),  # the ministry that enrolled it last
    Column("enrolled_on", Date, nullable=False),
    Column("commitment_letter_on", Date),
    Column("ppid_established", Boolean),
)

# One row per (region, ministry of the training events): "trained" never goes back.
region_training = Table(
    "region_training",
    metadata,
    Column("region_code", String(8), primary_key=True),
    Column("ministry", String(16), primary_key=True),
    Column("first_trained_on", Date, nullable=False),
    Column("sessions", Integer, nullable=False),
)

region_plan = Table(
    "region_plan",
    metadata,
    Column("region_code", String(8), primary_key=True),
    Column("plan_id", String(64), primary_key=True),
    Column("ministry", String(16), nullable=False),
    Column("title", String(500), nullable=False),
    Column("sectors", JSON, nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    Column("seq", BigInteger, nullable=False),  # its submission's, for lineage (rules.Plan.submitted)
    Column("event_id", String(36), nullable=False),
)

# Every claim (a training or a plan's submission, contract 1.1) and its state as its claim events left it; a
# claim whose plan was withdrawn is `closed`. `verified_*` names the ClaimVerified that verified it last.
claim = Table(
    "claim",
    metadata,
    Column("claim_event_id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("region_code", String(8), nullable=False),
    Column("kind", String(16), nullable=False),  # "training" or "plan"
    Column("ministry", String(16), nullable=False),
    Column("plan_id", String(64)),
    Column("occurred_on", Date, nullable=False),
    Column("state", String(16), nullable=False),
    Column("state_since", Date, nullable=False),
    Column("verified_seq", BigInteger),
    Column("verified_event_id", String(36)),
    Index("ux_claim_seq", "seq", unique=True),
    Index("ix_claim_state_seq", "state", "seq"),
)

# Each region's timeline (services/indicators/projector/timeline.py), so that a past day is a lookup and not a
# replay of event_log: its standing at the end of every day on which one of its events occurred...
region_day = Table(
    "region_day",
    metadata,
    Column("region_code", String(8), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("standing", JSON, nullable=False),  # rules.RegionState.standing(), an array
    sqlite_with_rowid=False,  # one B-tree keyed by (region_code, day): a row is written once, not twice
)

# ...and, for each count, the days over which it counts, from `from_day` up to (not including) `to_day`,
# with the event that makes it count (a new span begins when that event changes).
region_span = Table(
    "region_span",
    metadata,
    Column("region_code", String(8), primary_key=True),
    Column("scope", String(16), primary_key=True),
    Column("indicator", String(16), primary_key=True),
    Column("from_day", Date, primary_key=True),
    Column("to_day", Date),  # none: it counts still
    Column("seq", BigInteger, nullable=False),
    Column("event_id", String(36), nullable=False),
    Index("ix_region_span_count", "scope", "indicator", "from_day"),
)

# Regions whose timeline is to be made again from their events (a back-dated event during a bulk load, when
# event_log has no index to read one region's events by).
region_timeline_stale = Table(
    "region_timeline_stale",
    metadata,
    Column("region_code", String(8), primary_key=True),
)

indicator_count = Table(
    "indicator_count",
    metadata,
    Column("scope", String(16), primary_key=True),
    Column("indicator", String(16), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("as_of_seq", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Events the projector could not apply (the database refused their data, or they cannot be read): skipped,
# counted nowhere, and listed here so that an operator sees them (services/indicators/projector/poison.py).
quarantined_event = Table(
    "quarantined_event",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(64)),
    Column("event_type", String(64)),
    Column("reason", String(1000), nullable=False),
    Column("quarantined_at", DateTime(timezone=True), nullable=False),
)

# The transparency log over OGI_EVENTS (services/indicators/tlog): the hash of every complete subtree of the
# RFC 6962 tree whose leaves are the stored event payloads in stream order, leaf i being sequence i + 1.
# Written with the checkpoint, so the tree always has `projection_checkpoint.last_seq` leaves.
tlog_node = Table(
    "tlog_node",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,  # one B-tree keyed by (level, idx), not a table and an index: half the writes
)
