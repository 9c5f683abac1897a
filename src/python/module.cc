// The extension module `ibstream._ibstream`: the C++ readers of tick_columns.h exposed as numpy
// arrays. The package's __init__.py builds the DataFrames and checks the arguments; this file
// only converts.
//
// Every numeric column is a numpy array that owns the std::vector it was read into (no copy, no
// Python object per row). Strings that repeat (kinds, sources, exchanges, conditions) come as
// category codes and their names. With exact=True, prices, sizes and volumes also come as object
// arrays of decimal.Decimal, one shared object per distinct value.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "formats/python_float.h"
#include "fs/file_system.h"
#include "python/tick_columns.h"
#include "storage/order_book.h"

namespace py = pybind11;

namespace ibstream::python {
namespace {

// A numpy array over the column's memory, which it owns from now on (no copy).
template <typename T>
py::array Own(PodColumn<T>&& column, py::dtype dtype = py::dtype::of<T>()) {
  const auto rows = static_cast<py::ssize_t>(column.size());
  auto* memory = new PodColumnMemory(column.Release());
  py::capsule free(memory, [](void* p) {
    auto* owned = static_cast<PodColumnMemory*>(p);
    PodColumnFree(*owned);
    delete owned;
  });
  return py::array(dtype, {rows}, {static_cast<py::ssize_t>(sizeof(T))},
                   memory->bytes == 0 ? nullptr : memory->data, free);
}

py::array OwnFlags(PodColumn<uint8_t>&& column) {
  return Own(std::move(column), py::dtype("bool"));
}

// The gap ledger is small: its columns are copied.
template <typename T>
py::array Copy(const std::vector<T>& values) {
  py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

// A numpy object array of `n` Nones whose cells are replaced one by one.
struct ObjectArray {
  explicit ObjectArray(size_t n) : array(py::dtype("O"), {static_cast<py::ssize_t>(n)}, {}) {
    auto** cells = static_cast<PyObject**>(array.mutable_data());
    for (size_t i = 0; i < n; ++i) {
      Py_XDECREF(cells[i]);  // numpy may have zeroed the cells or filled them with None
      cells[i] = py::none().release().ptr();
    }
  }
  void Set(size_t i, const py::object& value) {
    auto** cells = static_cast<PyObject**>(array.mutable_data());
    Py_XDECREF(cells[i]);
    cells[i] = value.inc_ref().ptr();
  }
  py::array array;
};

// decimal.Decimal objects, one per distinct text.
class DecimalMaker {
 public:
  DecimalMaker() : decimal_(py::module_::import("decimal").attr("Decimal")) {}

  py::object Make(const std::string& text) {
    auto it = cache_.find(text);
    if (it != cache_.end()) return it->second;
    py::object value = decimal_(text);
    cache_.emplace(text, value);
    return value;
  }
  // Prices: the shortest text that reads back as the stored double (Python's repr).
  py::array Prices(const PodColumn<double>& prices) {
    ObjectArray out(prices.size());
    std::string text;
    for (size_t i = 0; i < prices.size(); ++i) {
      if (!std::isfinite(prices[i])) continue;
      text.clear();
      formats::AppendPythonFloat(prices[i], text);
      out.Set(i, Make(text));
    }
    return out.array;
  }
  py::array Decimals(const std::vector<Decimal>& values) {
    ObjectArray out(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i].is_set()) out.Set(i, Make(values[i].ToString()));
    }
    return out.array;
  }

 private:
  py::object decimal_;
  std::unordered_map<std::string, py::object> cache_;
};

// One column for __init__.py: (name, kind, values, categories). kind is "time" (int64 Unix
// nanoseconds), "number", "flag", "category" (codes into categories, -1 for none) or "object".
py::tuple Column(const char* name, const char* kind, py::object values,
                 py::object categories = py::none()) {
  return py::make_tuple(name, kind, std::move(values), std::move(categories));
}

py::list TickColumnList(TickColumns& c, const std::vector<TickType>& types) {
  py::list type_names;
  for (TickType type : types) type_names.append(std::string(TickTypeName(type)));
  std::optional<DecimalMaker> exact;
  if (c.exact) exact.emplace();
  auto number = [&](const char* name, PodColumn<double>& values,
                    std::vector<Decimal>* decimals) -> py::tuple {
    if (!exact) return Column(name, "number", Own(std::move(values)));
    if (decimals == nullptr) return Column(name, "object", exact->Prices(values));
    return Column(name, "object", exact->Decimals(*decimals));
  };
  py::list out;
  for (TickField field : c.fields) {
    const char* name = TickFieldName(field);
    switch (field) {
      case TickField::kType:
        out.append(Column(name, "category", Own(std::move(c.type)), type_names));
        break;
      case TickField::kExchangeTime:
        out.append(Column(name, "time", Own(std::move(c.exchange_time_ns))));
        break;
      case TickField::kReceiveTime:
        out.append(Column(name, "time", Own(std::move(c.receive_time_ns))));
        break;
      case TickField::kSequence:
        out.append(Column(name, "number", Own(std::move(c.sequence))));
        break;
      case TickField::kSource:
        out.append(Column(name, "category", Own(std::move(c.source)),
                          py::cast(std::vector<std::string>{"live", "backfill"})));
        break;
      case TickField::kPrice:
        out.append(number(name, c.price, nullptr));
        break;
      case TickField::kSize:
        out.append(number(name, c.size, &c.exact_size));
        break;
      case TickField::kBidPrice:
        out.append(number(name, c.bid_price, nullptr));
        break;
      case TickField::kBidSize:
        out.append(number(name, c.bid_size, &c.exact_bid_size));
        break;
      case TickField::kAskPrice:
        out.append(number(name, c.ask_price, nullptr));
        break;
      case TickField::kAskSize:
        out.append(number(name, c.ask_size, &c.exact_ask_size));
        break;
      case TickField::kVolume:
        out.append(number(name, c.volume, &c.exact_volume));
        break;
      case TickField::kExchange:
        out.append(
            Column(name, "category", Own(std::move(c.exchange)), py::cast(c.exchange_names)));
        break;
      case TickField::kSpecialConditions:
        out.append(Column(name, "category", Own(std::move(c.special_conditions)),
                          py::cast(c.condition_names)));
        break;
      case TickField::kPastLimit:
        out.append(Column(name, "flag", OwnFlags(std::move(c.past_limit))));
        break;
      case TickField::kUnreported:
        out.append(Column(name, "flag", OwnFlags(std::move(c.unreported))));
        break;
      case TickField::kBidPastLow:
        out.append(Column(name, "flag", OwnFlags(std::move(c.bid_past_low))));
        break;
      case TickField::kAskPastHigh:
        out.append(Column(name, "flag", OwnFlags(std::move(c.ask_past_high))));
        break;
    }
  }
  return out;
}

[[noreturn]] void Raise(const Status& status) {
  if (status.code() == StatusCode::kNotFound) {
    PyErr_SetString(PyExc_FileNotFoundError, status.ToString().c_str());
  } else if (status.code() == StatusCode::kInvalidArgument) {
    PyErr_SetString(PyExc_ValueError, status.ToString().c_str());
  } else {
    PyErr_SetString(PyExc_OSError, status.ToString().c_str());
  }
  throw py::error_already_set();
}

// _read_ticks(root, contract, types, start_ns, end_ns, exact, threads) -> (columns, stats)
py::tuple ReadTicks(const std::string& root, int64_t contract,
                    const std::vector<std::string>& type_names, int64_t start_ns, int64_t end_ns,
                    bool exact, size_t threads) {
  TickRequest request;
  request.root = root;
  request.contract_id = contract;
  for (const std::string& name : type_names) {
    Result<TickType> type = ParseTickType(name);
    if (!type.ok()) throw py::value_error("types: " + type.status().message());
    if (*type == TickType::kDepth) {
      throw py::value_error(
          "types: depth records are book changes: read them with ibstream.book()");
    }
    if (std::find(request.types.begin(), request.types.end(), *type) == request.types.end()) {
      request.types.push_back(*type);
    }
  }
  request.from = FromUnixNanos(start_ns);
  request.to = FromUnixNanos(end_ns);
  request.exact = exact;
  request.threads = threads;
  TickColumns columns;
  storage::QueryStats stats;
  Status status;
  {
    py::gil_scoped_release release;
    status = ReadTickColumns(request, &columns, &stats);
  }
  if (!status.ok()) Raise(status);
  py::list skipped;
  for (const storage::SkippedData& s : stats.skipped) {
    py::dict item;
    item["path"] = s.path;
    item["bytes"] = s.bytes;
    item["reason"] = s.reason;
    skipped.append(item);
  }
  py::dict info;
  std::vector<std::string> type_names_read;
  for (TickType type : request.types) type_names_read.emplace_back(TickTypeName(type));
  info["types"] = type_names_read;
  info["ticks"] = columns.rows();
  info["closed_files_read"] = stats.closed_files_read;
  info["journals_read"] = stats.journals_read;
  info["duplicates_dropped"] = stats.duplicates_dropped;
  info["backfill_overlaps_dropped"] = stats.backfill_overlaps_dropped;
  info["skipped_bytes"] = stats.skipped_bytes;
  info["skipped"] = skipped;
  return py::make_tuple(TickColumnList(columns, request.types), info);
}

// _read_gaps(root, contract or None, start_ns, end_ns) -> (columns, damage)
py::tuple ReadGaps(const std::string& root, std::optional<int64_t> contract, int64_t start_ns,
                   int64_t end_ns) {
  GapRequest request;
  request.root = root;
  request.contract_id = contract;
  request.from = FromUnixNanos(start_ns);
  request.to = FromUnixNanos(end_ns);
  GapColumns c;
  storage::LedgerDamage damage;
  Status status;
  {
    py::gil_scoped_release release;
    status = ReadGapColumns(request, &c, &damage);
  }
  if (!status.ok()) Raise(status);
  py::list columns;
  columns.append(Column("id", "number", Copy(c.id)));
  columns.append(Column("contract_id", "number", Copy(c.contract_id)));
  columns.append(Column("tick_type", "object", py::cast(c.tick_type)));
  columns.append(Column("start", "time", Copy(c.start_ns)));
  columns.append(Column("end", "time", Copy(c.end_ns)));
  columns.append(Column("cause", "object", py::cast(c.cause)));
  columns.append(Column("backfill", "object", py::cast(c.backfill)));
  columns.append(Column("reason", "object", py::cast(c.reason)));
  columns.append(Column("updated_at", "time", Copy(c.updated_at_ns)));
  columns.append(Column("queued_at", "time", Copy(c.queued_at_ns)));
  columns.append(Column("filled_at", "time", Copy(c.filled_at_ns)));
  columns.append(Column("time_to_fill_seconds", "number", Copy(c.time_to_fill_seconds)));
  columns.append(Column("requests", "number", Copy(c.requests)));
  columns.append(Column("requests_needed", "number", Copy(c.requests_needed)));
  columns.append(Column("pacing_minimum_seconds", "number", Copy(c.pacing_minimum_seconds)));
  columns.append(Column("round_trip_seconds", "number", Copy(c.round_trip_seconds)));
  columns.append(Column("least_time_seconds", "number", Copy(c.least_time_seconds)));
  columns.append(Column("ratio_to_minimum", "number", Copy(c.ratio_to_minimum)));
  py::dict info;
  info["damaged_bytes"] = damage.corrupt_bytes + damage.truncated_bytes;
  info["problems"] = py::cast(damage.problems);
  return py::make_tuple(columns, info);
}

// One side of a book as a list of dicts: position, price, size (decimal text or None),
// market_maker.
py::list BookSide(const std::vector<storage::BookRow>& rows) {
  py::list out;
  for (size_t i = 0; i < rows.size(); ++i) {
    py::dict row;
    row["position"] = i;
    row["price"] = rows[i].price;
    row["size"] = rows[i].size.is_set() ? py::object(py::str(rows[i].size.ToString())) : py::none();
    row["market_maker"] = rows[i].market_maker;
    out.append(row);
  }
  return out;
}

// _read_book(root, contract, at_ns, rows, lookback_ns) -> (bids, asks, info)
py::tuple ReadBook(const std::string& root, int64_t contract, int64_t at_ns, int rows,
                   int64_t lookback_ns) {
  storage::BookAtOptions options;
  options.rows = rows;
  options.lookback = std::chrono::nanoseconds(lookback_ns);
  Result<storage::BookAt> book = Unavailable("the book was not read");
  {
    py::gil_scoped_release release;
    book =
        storage::ReadBookAt(fs::PosixFileSystem(), root, contract, FromUnixNanos(at_ns), options);
  }
  if (!book.ok()) Raise(book.status());
  py::dict info;
  info["restarted"] = book->restarted;
  info["records"] = book->records;
  info["rejected"] = book->rejected;
  info["complete"] = book->data_complete;
  info["last_update_ns"] =
      book->last_update ? py::object(py::int_(ToUnixNanos(*book->last_update))) : py::none();
  return py::make_tuple(BookSide(book->book.bids), BookSide(book->book.asks), info);
}

}  // namespace
}  // namespace ibstream::python

PYBIND11_MODULE(_ibstream, m) {
  m.doc() = "ib-stream's storage readers (use the ibstream package, not this module)";
  m.def("_read_ticks", &ibstream::python::ReadTicks, py::arg("root"), py::arg("contract"),
        py::arg("types"), py::arg("start_ns"), py::arg("end_ns"), py::arg("exact"),
        py::arg("threads") = 1);
  m.def("_read_gaps", &ibstream::python::ReadGaps, py::arg("root"), py::arg("contract"),
        py::arg("start_ns"), py::arg("end_ns"));
  m.def("_read_book", &ibstream::python::ReadBook, py::arg("root"), py::arg("contract"),
        py::arg("at_ns"), py::arg("rows"), py::arg("lookback_ns"));
}
