"""`ibstream.read` against `ibstream query --format csv` read by pandas.read_csv: the same rows in
the same order with the same values, on the store python_store_writer writes (closed files with
backfilled ticks and an unsealed journal, every kind). CTest sets IBSTREAM_BINARY and
IBSTREAM_STORE_WRITER."""

import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np
import pandas as pd

import ibstream

MNQ = 711280073
NUMBERS = ["price", "size", "bid_price", "bid_size", "ask_price", "ask_size", "volume"]
CATEGORIES = ["exchange", "special_conditions"]
FLAGS = ["past_limit", "unreported", "bid_past_low", "ask_past_high"]


class CsvRouteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="ibstream_csv_route_")
        cls.store = os.path.join(cls.tmp, "store")
        subprocess.run([os.environ["IBSTREAM_STORE_WRITER"], "fixture", cls.store], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def csv(self, types):
        out = subprocess.run(
            [os.environ["IBSTREAM_BINARY"], "query", "--data", self.store, "--contract", str(MNQ),
             "--types", ",".join(types), "--format", "csv", "--from", "2025-08-21T00:00:00Z",
             "--to", "2025-08-22T00:00:00Z"],
            check=True, stdout=subprocess.PIPE)
        path = os.path.join(self.tmp, "query.csv")
        with open(path, "wb") as f:
            f.write(out.stdout)
        # round_trip: the text is the shortest that reads back as the stored double
        return pd.read_csv(path, float_precision="round_trip", keep_default_na=False,
                           na_values=[""], dtype={"exchange": str, "special_conditions": str})

    def check(self, types):
        df = ibstream.read(self.store, MNQ, types=types, start="2025-08-21T00:00:00Z",
                           end="2025-08-22T00:00:00Z")
        csv = self.csv(types)
        self.assertGreater(len(df), 0)
        self.assertEqual(len(df), len(csv))
        kinds = csv["tick_type"].to_numpy()
        if "type" in df.columns:
            np.testing.assert_array_equal(df["type"].astype(str).to_numpy(), kinds)
        np.testing.assert_array_equal(df["source"].astype(str).to_numpy(), csv["source"])
        for name in ["exchange_time", "receive_time"]:
            nanos = df[name].dt.tz_localize(None).to_numpy().astype(np.int64)
            np.testing.assert_array_equal(nanos, csv[name + "_ns"].to_numpy(), name)
        np.testing.assert_array_equal(df["sequence"].to_numpy().astype(np.int64),
                                      csv["sequence"].to_numpy())
        for name in NUMBERS:
            if name in df.columns:
                np.testing.assert_array_equal(df[name].to_numpy(),
                                              csv[name].to_numpy(dtype=np.float64), name)
        for name in CATEGORIES:
            if name in df.columns:
                # absent (another kind) and empty both print as an empty CSV field
                np.testing.assert_array_equal(df[name].astype(object).fillna("").to_numpy(),
                                              csv[name].fillna("").to_numpy(), name)
        for name in FLAGS:
            if name in df.columns:
                np.testing.assert_array_equal(df[name].to_numpy(),
                                              csv[name].astype(str).str.lower().to_numpy() == "true", name)
        return df

    def test_every_kind(self):
        df = self.check(ibstream.TICK_TYPES)
        self.assertEqual((df["source"] == "backfill").sum(), 6)

    def test_one_kind_at_a_time(self):
        for kind in ibstream.TICK_TYPES:
            with self.subTest(kind=kind):
                self.check([kind])

    def test_the_benchmark_kinds(self):
        self.check(["bid_ask", "last"])


if __name__ == "__main__":
    unittest.main()
