#include "http/prometheus.h"

#include <charconv>
#include <cmath>

#include "common/check.h"

namespace ibstream::http {

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

namespace {
std::string EscapeHelp(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void AppendValue(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    out.append(buf, end);
  }
}
}  // namespace

void PrometheusWriter::Family(std::string_view name, std::string_view type, std::string_view help) {
  IBSTREAM_CHECK(type != "counter" || name.ends_with("_total"), "counter names end in _total");
  // In the 0.0.4 text format HELP and TYPE name the series itself, "_total" included.
  family_ = std::string(name);
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += EscapeHelp(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusWriter::Sample(double value, const Labels& labels, std::string_view suffix) {
  IBSTREAM_CHECK(!family_.empty(), "Sample before Family");
  out_ += family_;
  out_ += suffix;
  if (!labels.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [key, val] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += key;
      out_ += "=\"";
      out_ += EscapeLabelValue(val);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  AppendValue(value, out_);
  out_ += '\n';
}

}  // namespace ibstream::http
