"""`import ibstream` against a store written by python_store_writer (store_writer_main.cc says
what it holds). CTest runs this with Debian's python3, PYTHONPATH at the build tree and
IBSTREAM_STORE_WRITER naming the writer."""

import datetime
import decimal
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import warnings

import numpy as np
import pandas as pd

import ibstream

MNQ = 711280073
AAPL = 265598
H0 = pd.Timestamp("2025-08-21T14:00:00Z")
KINDS = ["bid_ask", "last", "all_last", "mid_point", "quote", "trade"]
TIMES = ["exchange_time", "receive_time"]
COMMON = TIMES + ["sequence", "source"]
BID_ASK = ["bid_price", "bid_size", "ask_price", "ask_size"]
TRADE = ["price", "size", "exchange", "special_conditions", "past_limit", "unreported"]
# A filled gap's timing, named as `ibstream gaps --json` names the fields of its "fill".
FILL = ["queued_at", "filled_at", "time_to_fill_seconds", "requests", "requests_needed",
        "pacing_minimum_seconds", "round_trip_seconds", "least_time_seconds", "ratio_to_minimum"]


def write_store(root):
    subprocess.run([os.environ["IBSTREAM_STORE_WRITER"], "fixture", root], check=True)


class StoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ibstream_python_test_")
        cls.store = os.path.join(cls.tmp, "store")
        write_store(cls.store)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def read(self, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a sound store reads without a warning
            return ibstream.read(self.store, *args, **kwargs)


class ReadTest(StoreTest):
    def test_all_kinds_come_in_time_order_with_a_type_column(self):
        df = self.read(MNQ)
        self.assertEqual(len(df), 660)  # 600 from closed files, 60 from the journal
        self.assertEqual(df.attrs["types"], KINDS)
        self.assertEqual(df.attrs["damaged"], 0)
        self.assertEqual(list(df["type"].cat.categories), KINDS)
        self.assertEqual(list(df["type"][:6]), KINDS)
        self.assertEqual(
            list(df.columns),
            ["type"] + COMMON + ["price", "size"] + BID_ASK + ["volume"] + TRADE[2:]
            + ["bid_past_low", "ask_past_high"],
        )
        self.assertTrue(df["exchange_time"].is_monotonic_increasing)
        self.assertEqual(df["exchange_time"].iloc[0], H0)
        self.assertEqual(df["exchange_time"].iloc[-1], H0 + pd.Timedelta(seconds=3600 + 590))
        # A field the row's kind does not store is missing, not zero.
        mid = df[df["type"] == "mid_point"]
        self.assertEqual(len(mid), 100)
        self.assertTrue(mid["bid_price"].isna().all())
        self.assertTrue(mid["size"].isna().all())
        self.assertTrue(mid["exchange"].isna().all())
        self.assertFalse(mid["price"].isna().any())
        # live unless backfilled (tick i % 100 == 7 of the closed hour, sequence i + 1)
        seq = df["sequence"].to_numpy().astype(np.int64)
        expected = np.where((seq % 100 == 8) & (seq <= 600), "backfill", "live")
        np.testing.assert_array_equal(df["source"].astype(str), expected)
        self.assertEqual((df["source"] == "backfill").sum(), 6)

    def test_any_number_of_threads_gives_the_same_frame(self):
        one = self.read(MNQ, threads=1)
        for threads in (2, 3, 16, None):
            other = self.read(MNQ, threads=threads)
            pd.testing.assert_frame_equal(other, one, check_exact=True)
            self.assertEqual(other.attrs, one.attrs)

    def test_dtypes(self):
        df = self.read(MNQ)
        for name in TIMES:
            self.assertEqual(str(df[name].dtype), "datetime64[ns, UTC]", name)
        for name in ["price", "size", "bid_price", "bid_size", "ask_price", "ask_size", "volume"]:
            self.assertEqual(df[name].dtype, np.float64, name)
        self.assertEqual(df["sequence"].dtype, np.uint64)
        for name in ["type", "source", "exchange", "special_conditions"]:
            self.assertEqual(df[name].dtype, "category", name)
        for name in ["past_limit", "unreported", "bid_past_low", "ask_past_high"]:
            self.assertEqual(df[name].dtype, np.bool_, name)

    def test_bid_ask_values(self):
        df = self.read(MNQ, types="bid_ask")
        self.assertNotIn("type", df.columns)
        self.assertEqual(list(df.columns), COMMON + BID_ASK + ["bid_past_low", "ask_past_high"])
        self.assertEqual(len(df), 160)
        seq = df["sequence"].to_numpy().astype(np.int64)
        np.testing.assert_array_equal(df["bid_price"], 23260.0 + (seq % 7) * 0.25)
        np.testing.assert_array_equal(df["ask_price"], df["bid_price"] + 0.25)
        np.testing.assert_array_equal(df["bid_size"], 1 + seq % 5)
        np.testing.assert_array_equal(df["ask_size"], (15 + seq % 3) / 10)
        np.testing.assert_array_equal(df["bid_past_low"], seq % 11 == 0)
        self.assertFalse(df["ask_past_high"].any())
        # receive time: exchange time + 1000 ns + sequence
        delta = (df["receive_time"] - df["exchange_time"]).to_numpy().astype(np.int64)
        np.testing.assert_array_equal(delta, 1000 + seq)
        self.assertEqual(set(df["source"]), {"live"})

    def test_trade_kinds_values(self):
        last = self.read(MNQ, types=["last"])
        self.assertEqual(list(last.columns), COMMON + TRADE)
        seq = last["sequence"].to_numpy().astype(np.int64)
        np.testing.assert_array_equal(last["price"], 23261.0 + (seq % 5) * 0.25)
        np.testing.assert_array_equal(last["size"], 1 + seq % 4)
        self.assertEqual(set(last["exchange"]), {"CME"})
        np.testing.assert_array_equal(
            last["special_conditions"].astype(str), np.where(seq % 3 == 0, "T", ""))
        trade = self.read(MNQ, types="trade")
        self.assertEqual(list(trade.columns), COMMON + ["price", "size", "volume"])
        seq = trade["sequence"].to_numpy().astype(np.int64)
        np.testing.assert_array_equal(trade["volume"], 1000 + seq)
        mid = self.read(MNQ, types="mid_point")
        self.assertEqual(list(mid.columns), COMMON + ["price"])
        quote = self.read(MNQ, types="quote")
        self.assertEqual(list(quote.columns), COMMON + BID_ASK)

    def test_ib_names_are_accepted_and_a_kind_is_read_once(self):
        df = self.read(MNQ, types=["BidAsk", "bid_ask", "MidPoint"])
        self.assertEqual(df.attrs["types"], ["bid_ask", "mid_point"])
        self.assertEqual(len(df), 260)
        self.assertEqual(list(df["type"].cat.categories), ["bid_ask", "mid_point"])
        self.assertEqual(len(self.read(MNQ, types="bid_ask,mid_point")), 260)

    def test_time_range_is_start_inclusive_end_exclusive(self):
        df = self.read(MNQ, start="2025-08-21T14:30:00Z",
                       end=datetime.datetime(2025, 8, 21, 15, tzinfo=datetime.timezone.utc))
        self.assertEqual(len(df), 300)  # ticks 300 .. 599
        self.assertEqual(df["exchange_time"].min(), H0 + pd.Timedelta(minutes=30))
        self.assertEqual(df["exchange_time"].max(), H0 + pd.Timedelta(seconds=6 * 599))
        # Times without a zone are UTC; Timestamps, datetime64 and other offsets work too.
        naive = self.read(MNQ, start=datetime.datetime(2025, 8, 21, 14, 30),
                          end=np.datetime64("2025-08-21T15:00:00"))
        self.assertEqual(len(naive), 300)
        offset = self.read(MNQ, start=pd.Timestamp("2025-08-21T10:30:00-04:00"),
                           end="2025-08-21T11:00:00-04:00")
        self.assertEqual(len(offset), 300)
        self.assertEqual(len(self.read(MNQ, start=H0 + pd.Timedelta(hours=1))), 60)
        self.assertEqual(len(self.read(MNQ, end=H0 + pd.Timedelta(seconds=6))), 1)

    def test_contracts_are_separate(self):
        df = self.read(AAPL)
        self.assertEqual(len(df), 10)
        self.assertEqual(set(df["type"]), {"last"})
        self.assertEqual(len(self.read(AAPL, types="bid_ask")), 0)

    def test_no_ticks_is_an_empty_frame_with_the_same_columns_and_dtypes(self):
        empty = self.read(12345)
        full = self.read(MNQ)
        self.assertEqual(len(empty), 0)
        self.assertEqual(list(empty.columns), list(full.columns))
        for name in full.columns:
            self.assertEqual(str(empty[name].dtype), str(full[name].dtype), name)

    def test_exact_gives_decimals(self):
        df = self.read(MNQ, types="bid_ask", exact=True)
        first = df.iloc[0]  # sequence 1
        self.assertEqual(first["bid_price"], decimal.Decimal("23260.25"))
        self.assertIsInstance(first["bid_price"], decimal.Decimal)
        self.assertEqual(str(first["ask_size"]), "1.6")
        self.assertEqual(str(first["bid_size"]), "2")
        self.assertEqual(df["bid_price"].dtype, object)
        both = self.read(MNQ, types=["mid_point", "trade"], exact=True)
        mid = both[both["type"] == "mid_point"].iloc[0]
        self.assertIsNone(mid["size"])
        self.assertIsNone(mid["volume"])
        trade = both[both["type"] == "trade"].iloc[0]
        self.assertEqual(trade["volume"], decimal.Decimal(1000 + int(trade["sequence"])))


class GapsTest(StoreTest):
    def test_the_ledger(self):
        gaps = ibstream.gaps(self.store)
        self.assertEqual(list(gaps["id"]), [1, 2, 3])
        self.assertEqual(list(gaps.columns), ["id", "contract_id", "tick_type", "start", "end",
                                              "cause", "backfill", "reason", "updated_at"] + FILL)
        self.assertEqual(list(gaps["contract_id"]), [MNQ, AAPL, MNQ])
        self.assertEqual(list(gaps["tick_type"]), ["bid_ask", "last", "last"])
        self.assertEqual(list(gaps["cause"]), ["disconnect", "stall", "queue_full"])
        self.assertEqual(list(gaps["backfill"]), ["filled", "pending", "failed"])
        self.assertEqual(list(gaps["reason"]), ["", "", "pacing"])
        self.assertEqual(gaps["start"].iloc[0], H0 + pd.Timedelta(seconds=600))
        self.assertEqual(gaps["end"].iloc[0], H0 + pd.Timedelta(seconds=660))
        for name in ["start", "end", "updated_at"]:
            self.assertEqual(str(gaps[name].dtype), "datetime64[ns, UTC]", name)
        self.assertEqual(gaps.attrs["damaged_bytes"], 0)

    def test_fill_timing_of_a_filled_gap(self):
        gaps = ibstream.gaps(self.store)
        for name in ["queued_at", "filled_at"]:
            self.assertEqual(str(gaps[name].dtype), "datetime64[ns, UTC]", name)
        for name in FILL[2:]:
            self.assertEqual(str(gaps[name].dtype), "float64", name)
        # Gap 1 was filled, and the ledger kept how (store_writer_main.cc).
        filled = gaps.iloc[0]
        self.assertEqual(filled["queued_at"], H0 + pd.Timedelta(seconds=700))
        self.assertEqual(filled["filled_at"], H0 + pd.Timedelta(seconds=721))
        self.assertEqual(filled["time_to_fill_seconds"], 21.0)
        self.assertEqual(filled["requests"], 8)
        self.assertEqual(filled["requests_needed"], 7)
        self.assertEqual(filled["pacing_minimum_seconds"], 2.0)
        self.assertEqual(filled["round_trip_seconds"], 0.5)
        # max(pacing minimum + round trip, requests needed x round trip) = max(2.5, 3.5)
        self.assertEqual(filled["least_time_seconds"], 3.5)
        self.assertEqual(filled["ratio_to_minimum"], 6.0)
        # Gaps 2 (pending) and 3 (failed) were not filled: no timing.
        for name in ["queued_at", "filled_at"]:
            self.assertTrue(gaps[name].iloc[1:].isna().all(), name)
        for name in FILL[2:]:
            self.assertTrue(gaps[name].iloc[1:].isna().all(), name)

    def test_fill_timing_is_what_the_gaps_command_shows(self):
        command = [os.environ["IBSTREAM_BINARY"], "gaps", "--data", self.store, "--json"]
        listed = json.loads(subprocess.run(command, check=True, stdout=subprocess.PIPE).stdout)
        gaps = ibstream.gaps(self.store)
        self.assertEqual(list(gaps["id"]), [g["id"] for g in listed])
        for row, gap in zip(gaps.itertuples(), listed):
            fill = gap["fill"]
            if fill is None:
                for name in FILL:
                    self.assertTrue(pd.isna(getattr(row, name)), (row.id, name))
                continue
            self.assertEqual(sorted(fill), sorted(FILL), row.id)
            for name in ["queued_at", "filled_at"]:
                self.assertEqual(getattr(row, name), pd.Timestamp(fill[name]), (row.id, name))
            for name in FILL[2:]:
                self.assertAlmostEqual(getattr(row, name), fill[name], msg=(row.id, name))
        self.assertIsNotNone(listed[0]["fill"])

    def test_filters(self):
        self.assertEqual(list(ibstream.gaps(self.store, contract=MNQ)["id"]), [1, 3])
        # overlapping [start, end): gap 1 ends at 14:11, gap 2 starts at 14:30
        window = ibstream.gaps(self.store, start="2025-08-21T14:10:30Z", end="2025-08-21T14:30:00Z")
        self.assertEqual(list(window["id"]), [1])
        self.assertEqual(len(ibstream.gaps(self.store, contract=1)), 0)

    def test_a_store_without_a_ledger_has_no_gaps(self):
        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty, exist_ok=True)
        self.assertEqual(len(ibstream.gaps(empty)), 0)
        self.assertEqual(len(ibstream.read(empty, MNQ)), 0)


class DamageTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ibstream_python_damage_")
        self.store = os.path.join(self.tmp, "store")
        write_store(self.store)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_a_damaged_closed_file_is_skipped_with_a_warning_and_counted(self):
        hour = os.path.join(self.store, "closed", "2025-08-21", "14")
        [name] = [n for n in os.listdir(hour) if n.startswith(f"{MNQ}_bid_ask.")]
        damaged = os.path.join(hour, name)
        sound = ibstream.read(self.store, MNQ)
        with open(damaged, "r+b") as f:
            f.seek(os.path.getsize(damaged) // 2)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0x5A]))
        with self.assertWarns(ibstream.DamagedDataWarning) as caught:
            df = ibstream.read(self.store, MNQ)
        message = str(caught.warning)
        self.assertIn("the store is damaged: 1 damaged files or regions", message)
        self.assertIn(damaged, message)
        self.assertEqual(df.attrs["damaged"], 1)
        self.assertEqual(df.attrs["skipped"][0]["path"], damaged)
        self.assertEqual(df.attrs["skipped_bytes"], os.path.getsize(damaged))
        self.assertTrue(df.attrs["skipped"][0]["reason"])
        # Everything else is there: the hour's other kinds and the journal's bid_ask ticks; of
        # the damaged file, at most the records before the damaged one (each checked by its
        # CRC32C), exactly as they were.
        self.assertLess(len(df), 660)
        self.assertGreaterEqual(len(df), 660 - 100)
        closed_bid_ask = (df["type"] == "bid_ask") & (df["sequence"] <= 600)
        self.assertEqual((df["type"] == "bid_ask").sum(), 60 + closed_bid_ask.sum())
        kept = df[closed_bid_ask].reset_index(drop=True)
        was = sound[(sound["type"] == "bid_ask") & (sound["sequence"] <= 600)]
        pd.testing.assert_frame_equal(kept, was.iloc[: len(kept)].reset_index(drop=True))
        others = df[df["type"] != "bid_ask"].reset_index(drop=True)
        pd.testing.assert_frame_equal(
            others, sound[sound["type"] != "bid_ask"].reset_index(drop=True))

    def test_damaged_ledger_bytes_are_skipped_with_a_warning(self):
        with open(os.path.join(self.store, "gaps", "ledger.1.log"), "ab") as f:
            f.write(b"\x01\x02\x03 not a record")
        with self.assertWarns(ibstream.DamagedDataWarning):
            gaps = ibstream.gaps(self.store)
        self.assertEqual(len(gaps), 3)
        self.assertGreater(gaps.attrs["damaged_bytes"], 0)


class ArgumentsTest(StoreTest):
    def assertRaisesWith(self, error, text, fn, *args, **kwargs):
        with self.assertRaises(error) as caught:
            fn(*args, **kwargs)
        self.assertIn(text, str(caught.exception))

    def test_store(self):
        missing = os.path.join(self.tmp, "missing")
        self.assertRaisesWith(FileNotFoundError, "no such store", ibstream.read, missing, MNQ)
        self.assertRaisesWith(FileNotFoundError, "no such store", ibstream.gaps, missing)
        a_file = os.path.join(self.tmp, "a_file")
        open(a_file, "w").close()
        self.assertRaisesWith(FileNotFoundError, "not a directory", ibstream.read, a_file, MNQ)
        self.assertRaisesWith(ValueError, "store must be a path", ibstream.read, 42, MNQ)

    def test_contract(self):
        for bad in [0, -1, "711280073", True, 1.5, None]:
            self.assertRaisesWith(ValueError, "positive IB contract id", ibstream.read,
                                  self.store, bad)
        self.assertRaisesWith(ValueError, "positive IB contract id", ibstream.gaps, self.store,
                              contract=-5)
        self.assertEqual(len(self.read(np.int64(MNQ), types="mid_point")), 100)

    def test_types(self):
        self.assertRaisesWith(ValueError, "bid_ask", ibstream.read, self.store, MNQ, types="bids")
        self.assertRaisesWith(ValueError, "types is empty", ibstream.read, self.store, MNQ,
                              types=[])
        self.assertRaisesWith(ValueError, "not a kind name", ibstream.read, self.store, MNQ,
                              types=[1])
        self.assertRaisesWith(ValueError, "types must be", ibstream.read, self.store, MNQ, types=3)

    def test_threads(self):
        for bad in [0, -1, True, 1.5, "2"]:
            self.assertRaisesWith(ValueError, "threads must be", ibstream.read, self.store, MNQ,
                                  threads=bad)

    def test_times(self):
        self.assertRaisesWith(ValueError, "start: 'yesterday' is not a time", ibstream.read,
                              self.store, MNQ, start="yesterday")
        self.assertRaisesWith(ValueError, "end must be a time", ibstream.read, self.store, MNQ,
                              end=1755784800)
        self.assertRaisesWith(ValueError, "is after end", ibstream.read, self.store, MNQ,
                              start="2025-08-21T15:00:00Z", end="2025-08-21T14:00:00Z")
        self.assertRaisesWith(ValueError, "start: ", ibstream.gaps, self.store, start="soon")


if __name__ == "__main__":
    unittest.main()


class BookTest(StoreTest):
    ES = 495512563

    def book(self, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a sound book reads without a warning
            return ibstream.book(self.store, self.ES, *args, **kwargs)

    def test_the_book_at_an_instant(self):
        book = self.book(at=H0 + pd.Timedelta(seconds=25))
        self.assertEqual(list(book.columns), ["side", "position", "price", "size", "market_maker"])
        self.assertEqual(list(book["side"]), ["bid", "bid", "ask"])
        self.assertEqual(list(book["position"]), [0, 1, 0])
        self.assertEqual(list(book["price"]), [10.0, 9.75, 10.25])
        self.assertEqual(list(book["size"]), ["9", "3", "7"])
        self.assertEqual(list(book["market_maker"]), ["CME", "CME", "CME"])
        self.assertTrue(book.attrs["restarted"])
        self.assertEqual(book.attrs["records"], 5)
        self.assertEqual(book.attrs["last_update"], H0 + pd.Timedelta(seconds=20))

    def test_rows_and_later_instants(self):
        self.assertEqual(len(self.book(at="2025-08-21T14:00:25Z", rows=1)), 2)
        after = self.book(at="2025-08-21T14:00:40Z")
        self.assertEqual(list(after["side"]), ["bid", "bid"])
        before = self.book(at="2025-08-21T14:00:05Z")
        self.assertEqual(len(before), 0)
        self.assertIsNone(before.attrs["last_update"])

    def test_a_window_without_the_restart_warns(self):
        with self.assertWarns(ibstream.BookWarning):
            ibstream.book(self.store, self.ES, at="2025-08-21T14:00:25Z", lookback="10s")

    def test_bad_arguments(self):
        for kwargs in [dict(rows=0), dict(rows=-1), dict(lookback="soon"), dict(lookback="-1s")]:
            with self.assertRaises(ValueError, msg=kwargs):
                ibstream.book(self.store, self.ES, at="2025-08-21T14:00:25Z", **kwargs)
        with self.assertRaises(ValueError):
            ibstream.read(self.store, self.ES, types="depth")
