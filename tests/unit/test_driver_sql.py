"""The projector's driver-level conversions store exactly what SQLAlchemy's column types would store."""

import datetime as dt
import random
from collections.abc import Sequence

import pytest
from sqlalchemy import Column, Date, DateTime, MetaData, String, Table, select
from sqlalchemy import create_engine as create_sync_engine

from services.indicators.projector import driver_sql
from services.indicators.readmodel import tables
from services.indicators.readmodel.db import create_engine

DIALECTS = {
    "sqlite": create_engine("sqlite+aiosqlite:///:memory:").dialect,
    "postgresql": create_engine("postgresql+asyncpg://postgres@127.0.0.1/test").dialect,
}


def _dates(count: int) -> list[dt.date]:
    chosen = random.Random(7)
    return [dt.date(1, 1, 1) + dt.timedelta(days=chosen.randrange(3_652_058)) for _ in range(count)]


def _datetimes(count: int) -> list[dt.datetime]:
    chosen = random.Random(11)
    offsets = [None, dt.UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-3, minutes=-30))]
    return [
        dt.datetime.combine(
            day,
            dt.time(chosen.randrange(24), chosen.randrange(60), chosen.randrange(60), chosen.choice([0, 1, 999_999, chosen.randrange(1_000_000)])),
            chosen.choice(offsets),
        )
        for day in _dates(count)
    ]


SAMPLES: dict[type, Sequence[dt.date]] = {Date: _dates(2000), DateTime: _datetimes(2000)}


@pytest.mark.parametrize("dialect_name", DIALECTS)
@pytest.mark.parametrize(
    "table", [tables.event_log, tables.region_plan, tables.region_status, tables.region_training, tables.indicator_count], ids=lambda table: table.name
)
def test_every_date_column_is_converted_as_sqlalchemy_converts_it(dialect_name, table):
    dialect = DIALECTS[dialect_name]
    for column in table.columns:
        samples = next((values for kind, values in SAMPLES.items() if isinstance(column.type, kind)), None)
        if samples is None:
            continue
        processor = column.type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
        convert = driver_sql.bind_converter(dialect, column.type)
        assert [convert(value) for value in samples] == [processor(value) for value in samples], column.name


def test_sqlite_dates_take_the_faster_conversion():
    dialect = DIALECTS["sqlite"]
    assert driver_sql.bind_converter(dialect, tables.event_log.c.occurred_on.type).__name__ == "_iso_date"
    assert driver_sql.bind_converter(dialect, tables.event_log.c.recorded_at.type).__name__ == "_iso_datetime_without_offset"


def test_a_type_with_another_storage_format_keeps_sqlalchemy_conversion():
    from sqlalchemy.dialects.sqlite import DATE

    dialect = DIALECTS["sqlite"]
    compact = DATE(storage_format="%(day)02d/%(month)02d/%(year)04d", regexp=r"(\d+)/(\d+)/(\d+)")
    convert = driver_sql.bind_converter(dialect, compact)
    assert convert(dt.date(2019, 7, 1)) == "01/07/2019"


def _as_json(value: dt.date | dt.datetime) -> str:
    """As the contract's event models write it: pydantic's JSON of the value."""
    from pydantic import TypeAdapter

    return TypeAdapter(type(value)).dump_json(value).decode().strip('"')


@pytest.mark.parametrize("dialect_name", DIALECTS)
@pytest.mark.parametrize("column", [tables.event_log.c.occurred_on, tables.event_log.c.recorded_at], ids=lambda column: column.name)
def test_event_log_dates_read_from_json_are_stored_as_sqlalchemy_stores_them(dialect_name, column):
    dialect = DIALECTS[dialect_name]
    processor = column.type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
    convert = driver_sql.from_json_text(dialect, column.type)
    samples = SAMPLES[DateTime if isinstance(column.type, DateTime) else Date]
    utc = [value.astimezone(dt.UTC) for value in samples if isinstance(value, dt.datetime) and value.tzinfo is not None]
    for value in [*samples, *utc]:
        parsed = type(value).fromisoformat(_as_json(value))
        assert convert(_as_json(value)) == processor(parsed), _as_json(value)


def test_a_malformed_date_in_json_is_refused_not_stored():
    dialect = DIALECTS["sqlite"]
    for column, text in ((tables.event_log.c.occurred_on, "2019-02-30"), (tables.event_log.c.recorded_at, "2020-01-01T25:00:00Z")):
        with pytest.raises(ValueError):
            driver_sql.from_json_text(dialect, column.type)(text)


def test_rows_of_a_one_column_table_are_inserted_as_rows_of_one_value():
    one_column = Table("seen", MetaData(), Column("key", String(8), primary_key=True))
    engine = create_sync_engine("sqlite://")
    one_column.metadata.create_all(engine)
    with engine.begin() as connection:
        driver_sql.execute_many(connection, one_column, "insert", [{"key": "73.71"}, {"key": "32.73"}])
        assert sorted(connection.execute(select(one_column.c.key)).scalars()) == ["32.73", "73.71"]
