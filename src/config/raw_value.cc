#include "config/raw_value.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "config/values.h"

namespace ibstream::config::internal {

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\x";
          out += "0123456789abcdef"[(c >> 4) & 0xf];
          out += "0123456789abcdef"[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string Render(const toml::node& node) {
  if (const auto* s = node.as_string()) return Quote(s->get());
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* f = node.as_floating_point()) {
    std::ostringstream out;
    out << f->get();
    return out.str();
  }
  if (const auto* array = node.as_array()) {
    std::string out = "[";
    for (size_t i = 0; i < array->size(); ++i) {
      if (i > 0) out += ", ";
      out += Render(*array->get(i));
    }
    return out + "]";
  }
  if (node.is_table()) return "{...}";
  return "(" + TypeName(node) + ")";
}

std::string Shown(const RawValue& raw) { return raw.node ? Render(*raw.node) : Quote(raw.text); }

Status WrongType(const toml::node& node) {
  return InvalidArgument("wrong type: " + TypeName(node));
}

Result<std::string> AsString(const RawValue& raw) {
  if (raw.node == nullptr) return std::string(raw.text);
  if (const auto* s = raw.node->as_string()) return s->get();
  return WrongType(*raw.node);
}

Result<int64_t> ParseInteger(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgument("not an integer");
  }
  return value;
}

Result<int64_t> AsInteger(const RawValue& raw) {
  if (raw.node == nullptr) return ParseInteger(raw.text);
  if (const auto* i = raw.node->as_integer()) return i->get();
  return WrongType(*raw.node);
}

Result<std::vector<RawValue>> AsList(const RawValue& raw, std::string_view separators) {
  std::vector<RawValue> items;
  if (raw.node == nullptr) {
    for (std::string_view item : SplitList(raw.text, separators)) items.push_back({nullptr, item});
    return items;
  }
  const auto* array = raw.node->as_array();
  if (array == nullptr) return WrongType(*raw.node);
  for (const toml::node& element : *array) items.push_back({&element, {}});
  return items;
}

size_t TypoLimit(std::string_view key) {
  size_t start = key.find_last_of("._");
  size_t length = start == std::string_view::npos ? key.size() : key.size() - start - 1;
  return std::max<size_t>(2, length / 4);
}

std::vector<std::pair<std::string, const toml::node*>> InFileOrder(const toml::table& table) {
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (auto&& [name, node] : table) entries.emplace_back(std::string(name.str()), &node);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const toml::source_position& pa = a.second->source().begin;
    const toml::source_position& pb = b.second->source().begin;
    return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
  });
  return entries;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace ibstream::config::internal
