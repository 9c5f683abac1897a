"""Read an ib-stream store into pandas.

    import ibstream
    quotes = ibstream.read("/var/lib/ibstream", 711280073, types="bid_ask",
                           start="2025-08-21T14:00:00Z", end="2025-08-21T15:00:00Z")
    gaps = ibstream.gaps("/var/lib/ibstream", contract=711280073)
    book = ibstream.book("/var/lib/ibstream", 495512563, at="2025-08-21T14:30:00Z", rows=10)

The ticks are read by the recorder's own storage reader (the one `ibstream query --data` uses),
in the same order and with the same deduplication. Damaged data is skipped and reported: a
DamagedDataWarning and the frame's attrs ("damaged", "skipped_bytes", "skipped").
"""

import datetime as _datetime
import numbers as _numbers
import os as _os
import warnings as _warnings

import numpy as _np
import pandas as _pd

from ibstream._ibstream import _read_book, _read_gaps, _read_ticks

__all__ = ["read", "gaps", "book", "DamagedDataWarning", "BookWarning", "TICK_TYPES"]

# The stored stream kinds: IB's four tick-by-tick kinds and the reqMktData fallback kinds.
TICK_TYPES = ("bid_ask", "last", "all_last", "mid_point", "quote", "trade")

_INT64_MAX = 2**63 - 1


class DamagedDataWarning(UserWarning):
    """Part of the store could not be read and was skipped; the result holds everything else."""


class BookWarning(UserWarning):
    """The market-depth book may be wrong: no restart in the lookback window, or records that
    did not fit it."""


def _store(store):
    if not isinstance(store, (str, bytes, _os.PathLike)):
        raise ValueError(f"store must be a path to an ib-stream storage directory, not {store!r}")
    path = _os.fsdecode(_os.fspath(store))
    if not _os.path.exists(path):
        raise FileNotFoundError(f"no such store: {path}")
    if not _os.path.isdir(path):
        raise FileNotFoundError(f"not a store (not a directory): {path}")
    return path


def _contract(contract, name="contract"):
    if isinstance(contract, bool) or not isinstance(contract, _numbers.Integral) or contract <= 0:
        raise ValueError(f"{name} must be a positive IB contract id (conId), not {contract!r}")
    return int(contract)


def _threads(threads):
    """The reader's thread count: 0 (one per core) for None."""
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, _numbers.Integral) or threads < 1:
        raise ValueError(f"threads must be a positive number of threads or None, not {threads!r}")
    return int(threads)


def _types(types):
    if types is None:
        return list(TICK_TYPES)
    if isinstance(types, str):
        names = [t.strip() for t in types.split(",")]
    else:
        try:
            names = list(types)
        except TypeError:
            raise ValueError(f"types must be a kind name or a list of them, not {types!r}") from None
    if not names:
        raise ValueError("types is empty; give at least one of " + ", ".join(TICK_TYPES))
    out = []
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"types: {name!r} is not a kind name ({', '.join(TICK_TYPES)})")
        if name not in out:
            out.append(name)
    return out


def _time_ns(value, name, default):
    """Unix nanoseconds of start/end: ISO 8601 text, datetime, pandas Timestamp, numpy
    datetime64 or None. Times without a zone are UTC."""
    if value is None:
        return default
    if isinstance(value, (bool, _numbers.Number)):
        raise ValueError(f"{name} must be a time (ISO 8601 text, datetime, Timestamp), not {value!r}")
    if not isinstance(value, (str, _datetime.datetime, _datetime.date, _np.datetime64, _pd.Timestamp)):
        raise ValueError(f"{name} must be a time (ISO 8601 text, datetime, Timestamp), not {value!r}")
    try:
        stamp = _pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as e:
        raise ValueError(f"{name}: {value!r} is not a time ({e})") from None
    if stamp is _pd.NaT:
        raise ValueError(f"{name}: {value!r} is not a time")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return int(stamp.value)


def _range(start, end):
    start_ns = _time_ns(start, "start", 0)
    end_ns = _time_ns(end, "end", _INT64_MAX)
    if start_ns > end_ns:
        raise ValueError(f"start ({start}) is after end ({end})")
    # Nothing is stored before the Unix epoch (the storage reader's ranges start there).
    return max(start_ns, 0), max(end_ns, 0)


_UTC = _pd.DatetimeTZDtype(tz="UTC")


def _frame(columns):
    data = {}
    for name, kind, values, categories in columns:
        if kind == "time":
            # Nanoseconds since the Unix epoch are what a UTC datetime64 column holds: the array
            # becomes the column as it is (a DatetimeIndex and tz_localize took two passes).
            data[name] = _pd.arrays.DatetimeArray(values.view("M8[ns]"), dtype=_UTC, copy=False)
        elif kind == "category":
            data[name] = _pd.Categorical.from_codes(values, categories=categories)
        elif kind == "object" and not isinstance(values, _np.ndarray):
            data[name] = _np.array(values, dtype=object)
        else:
            data[name] = values
    return _pd.DataFrame(data, copy=False)


def read(store, contract, types=None, start=None, end=None, exact=False, threads=None):
    """The ticks of one contract as a DataFrame, in the order `ibstream query` gives them.

    store     the recorder's storage directory (storage.path)
    contract  the IB contract id (conId)
    types     a kind or a list of kinds (bid_ask, last, all_last, mid_point, quote, trade;
              IB's names BidAsk, Last, ... too); None reads all six and adds a `type` column
    start     first exchange (IB) time, inclusive; end: exclusive. ISO 8601 text, datetime,
              Timestamp or datetime64; a time without a zone is UTC; None: unbounded
    exact     prices, sizes and volumes as decimal.Decimal instead of float64
    threads   how many hours of the store are read at once; None: one thread per core, at most
              8. The answer is the same for any number

    Columns: the fields the kinds store (see the README); exchange_time and receive_time are
    datetime64[ns, UTC]. Damaged files are skipped with a DamagedDataWarning; attrs holds
    "damaged" (how many files or regions), "skipped_bytes" and "skipped" (path, bytes, reason).
    """
    path = _store(store)
    contract_id = _contract(contract)
    names = _types(types)
    start_ns, end_ns = _range(start, end)
    columns, info = _read_ticks(
        path, contract_id, names, start_ns, end_ns, bool(exact), _threads(threads)
    )
    frame = _frame(columns)
    skipped = info["skipped"]
    frame.attrs.update(
        {
            "store": path,
            "contract": contract_id,
            "types": info["types"],
            "damaged": len(skipped),
            "skipped_bytes": info["skipped_bytes"],
            "skipped": skipped,
            "duplicates_dropped": info["duplicates_dropped"],
            "backfill_overlaps_dropped": info["backfill_overlaps_dropped"],
        }
    )
    if skipped:
        lines = [
            f"the store is damaged: {len(skipped)} damaged files or regions "
            f"({info['skipped_bytes']} bytes) were skipped; the result holds everything else; "
            f"run `ibstream verify --data {path}`"
        ]
        lines += [f"  {s['path']}: {s['bytes']} bytes skipped: {s['reason']}" for s in skipped[:16]]
        if len(skipped) > 16:
            lines.append(f"  ... and {len(skipped) - 16} more")
        _warnings.warn("\n".join(lines), DamagedDataWarning, stacklevel=2)
    return frame


def gaps(store, contract=None, start=None, end=None):
    """The gap ledger (stretches that were not recorded, and their backfill) as a DataFrame.

    contract  only this contract id; None: all
    start/end only gaps that overlap [start, end) (same forms as read())

    Columns: id, contract_id, tick_type, start, end (IB time, end exclusive), cause, backfill
    (pending, filled, partial, failed), reason, updated_at; then how a filled gap was filled, as
    `ibstream gaps --json` names it under "fill": queued_at, filled_at, time_to_fill_seconds,
    requests, requests_needed, pacing_minimum_seconds, round_trip_seconds, least_time_seconds,
    ratio_to_minimum (NaT and NaN for gaps not filled or filled without the timing kept).
    Damaged ledger records are skipped with a DamagedDataWarning; attrs["damaged_bytes"] counts
    them.
    """
    path = _store(store)
    contract_id = None if contract is None else _contract(contract)
    start_ns, end_ns = _range(start, end)
    columns, info = _read_gaps(path, contract_id, start_ns, end_ns)
    frame = _frame(columns)
    frame.attrs.update(
        {"store": path, "damaged_bytes": info["damaged_bytes"], "problems": info["problems"]}
    )
    if info["damaged_bytes"]:
        lines = [f"{info['damaged_bytes']} damaged gap ledger bytes were skipped"]
        lines += ["  " + p for p in info["problems"][:16]]
        _warnings.warn("\n".join(lines), DamagedDataWarning, stacklevel=2)
    return frame


def book(store, contract, at=None, rows=None, lookback="1D"):
    """The market-depth book of a contract at an instant, from its stored depth records.

    at        the instant (same forms as read()'s start/end); None: now
    rows      rows per side to keep (None: all)
    lookback  how far before `at` to look for the book's last restart (a pandas Timedelta or
              its text, default one day)

    Returns a DataFrame with one row per book row: side ("bid" or "ask"), position (0 = best),
    price, size (decimal text, None when unset), market_maker. attrs: "at", "restarted",
    "records", "rejected", "complete", "last_update" (None when no depth record was found in the
    window). A book without its restart in the window, or with records that did not fit, comes
    with a BookWarning; damaged data skipped with a DamagedDataWarning.
    """
    path = _store(store)
    contract_id = _contract(contract)
    at_ns = _time_ns(at, "at", _pd.Timestamp.now(tz="UTC").value)
    if rows is None:
        rows = 0
    elif isinstance(rows, bool) or not isinstance(rows, _numbers.Integral) or rows <= 0:
        raise ValueError(f"rows must be a positive number of rows per side, not {rows!r}")
    try:
        lookback_ns = int(_pd.Timedelta(lookback).value)
    except (ValueError, TypeError) as e:
        raise ValueError(f"lookback: {lookback!r} is not a duration ({e})") from None
    if lookback_ns <= 0:
        raise ValueError(f"lookback must be positive, not {lookback!r}")
    bids, asks, info = _read_book(path, contract_id, max(at_ns, 0), int(rows), lookback_ns)
    records = [dict(side="bid", **r) for r in bids] + [dict(side="ask", **r) for r in asks]
    frame = _pd.DataFrame(records, columns=["side", "position", "price", "size", "market_maker"])
    last = info["last_update_ns"]
    frame.attrs.update(
        {
            "store": path,
            "at": _pd.Timestamp(at_ns, tz="UTC"),
            "restarted": info["restarted"],
            "records": info["records"],
            "rejected": info["rejected"],
            "complete": info["complete"],
            "last_update": None if last is None else _pd.Timestamp(last, tz="UTC"),
        }
    )
    if not info["complete"]:
        _warnings.warn("damaged data was skipped while reading the book", DamagedDataWarning,
                       stacklevel=2)
    if last is not None and (not info["restarted"] or info["rejected"]):
        _warnings.warn(
            f"the book may be wrong: restart found: {info['restarted']}, "
            f"records that did not fit: {info['rejected']}",
            BookWarning,
            stacklevel=2,
        )
    return frame
