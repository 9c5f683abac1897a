// Prometheus text exposition format (version 0.0.4) without a client library: families with
// HELP and TYPE once, samples with escaped label values, '\n' after every line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ibstream::http {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

using Labels = std::vector<std::pair<std::string, std::string>>;

class PrometheusWriter {
 public:
  // Starts a metric family. `type` is "counter", "gauge", "histogram", "summary" or "untyped".
  // Counters' names must end in "_total" (checked: a wrong name is a programming error).
  void Family(std::string_view name, std::string_view type, std::string_view help);

  // A sample of the current family (or of `suffix`-ed series such as "_bucket" for histograms).
  void Sample(double value, const Labels& labels = {}, std::string_view suffix = {});

  const std::string& text() const { return out_; }

 private:
  std::string out_;
  std::string family_;
};

// Escapes '\\', '"' and newlines for a label value.
std::string EscapeLabelValue(std::string_view value);

}  // namespace ibstream::http
