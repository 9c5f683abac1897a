#include "cli/query_book.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "common/json_text.h"
#include "formats/python_float.h"
#include "fs/file_system.h"

namespace ibstream::cli {
namespace {

void AppendNumber(double value, std::string& out) { formats::AppendPythonFloat(value, out); }

void AppendJsonSide(const std::vector<storage::BookRow>& rows, std::string& out) {
  out += '[';
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"position\":" + std::to_string(i) + ",\"price\":";
    AppendNumber(rows[i].price, out);
    out += ",\"size\":";
    if (rows[i].size.is_set()) {
      out += '"';
      rows[i].size.AppendTo(out);
      out += '"';
    } else {
      out += "null";
    }
    out += ",\"market_maker\":";
    AppendJsonString(rows[i].market_maker, out);
    out += '}';
  }
  out += ']';
}

// "5 @ 10.25 ARCA", or empty past the side's last row.
std::string Cell(const std::vector<storage::BookRow>& rows, size_t i) {
  if (i >= rows.size()) return "";
  std::string text;
  rows[i].size.AppendTo(text);
  text += " @ ";
  AppendNumber(rows[i].price, text);
  if (!rows[i].market_maker.empty()) text += " " + rows[i].market_maker;
  return text;
}

std::string Pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

}  // namespace

std::string RenderBook(const BookQuery& q, const storage::BookAt& b) {
  std::string out;
  if (q.json) {
    out += "{\"contract_id\":" + std::to_string(q.contract) + ",\"at\":\"" + FormatIsoUtc(q.at) +
           "\",\"rows\":" + std::to_string(q.rows) +
           ",\"restarted\":" + (b.restarted ? "true" : "false") + ",\"last_update\":";
    out += b.last_update ? "\"" + FormatIsoUtc(*b.last_update) + "\"" : std::string("null");
    out += ",\"records\":" + std::to_string(b.records) +
           ",\"rejected\":" + std::to_string(b.rejected) + ",\"bids\":";
    AppendJsonSide(b.book.bids, out);
    out += ",\"asks\":";
    AppendJsonSide(b.book.asks, out);
    out += "}\n";
    return out;
  }
  out += "book of " + std::to_string(q.contract) + " at " + FormatIsoUtc(q.at);
  if (b.last_update) out += " (last update " + FormatIsoUtc(*b.last_update) + ")";
  out += "\n";
  constexpr size_t kWidth = 28;
  out += "row  " + Pad("bid (size @ price)", kWidth) + "ask (size @ price)\n";
  const size_t rows = std::max(b.book.bids.size(), b.book.asks.size());
  for (size_t i = 0; i < rows; ++i) {
    out += Pad(std::to_string(i), 5) + Pad(Cell(b.book.bids, i), kWidth) + Cell(b.book.asks, i);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  if (rows == 0) out += "(empty book)\n";
  return out;
}

int RunBookQuery(const BookQuery& q, std::FILE* out) {
  if (out == nullptr) out = stdout;
  const auto fail = [](const std::string& message) {
    std::cerr << "ibstream query: " << message << "\n";
    return 2;
  };
  storage::BookAtOptions options;
  options.rows = q.rows;
  options.lookback = q.lookback;
  auto book = storage::ReadBookAt(fs::PosixFileSystem(), q.data, q.contract, q.at, options);
  if (!book.ok()) return fail(book.status().ToString());
  const std::string text = RenderBook(q, *book);
  if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) {
    return fail("writing the output failed");
  }
  if (!book->last_update) {
    return fail(
        "no depth records of contract " + std::to_string(q.contract) + " in the " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(q.lookback).count()) +
        " s up to " + FormatIsoUtc(q.at) +
        " (is depth_rows set for it, and did it get a depth slot? `ibstream gaps` and "
        "the status page say)");
  }
  int status = 0;
  if (!book->restarted) {
    std::cerr << "ibstream query: no book restart in the lookback window before "
              << FormatIsoUtc(q.at)
              << ": the book is rebuilt from the records inside it only and may lack rows "
                 "(a longer --lookback helps)\n";
    status = 1;
  }
  if (book->rejected > 0) {
    std::cerr << "ibstream query: " << book->rejected
              << " depth records did not fit the book (a damaged or partial history); the "
                 "book may be wrong\n";
    status = 1;
  }
  if (!book->data_complete) {
    std::cerr << "ibstream query: damaged data was skipped; run `ibstream verify --data " << q.data
              << "`\n";
    status = 1;
  }
  return status;
}

}  // namespace ibstream::cli
