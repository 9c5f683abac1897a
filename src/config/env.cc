#include "config/env.h"

#include <algorithm>
#include <cstdlib>

extern char** environ;  // POSIX: the process environment.

namespace ibstream::config {
namespace {

bool IsNameStart(char c) { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Replaces ${VAR} and ${VAR:-default} in `text`.
Result<std::string> Substitute(
    std::string_view text,
    const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] != '$' || pos + 1 >= text.size() || text[pos + 1] != '{') {
      out += text[pos++];
      continue;
    }
    size_t close = text.find('}', pos + 2);
    if (close == std::string_view::npos) return InvalidArgument("unterminated '${'");
    std::string_view inner = text.substr(pos + 2, close - pos - 2);
    std::string_view name = inner;
    std::optional<std::string_view> fallback;
    if (size_t op = inner.find(":-"); op != std::string_view::npos) {
      name = inner.substr(0, op);
      fallback = inner.substr(op + 2);
    }
    if (name.empty() || !IsNameStart(name.front()) ||
        !std::all_of(name.begin(), name.end(), IsNameChar)) {
      return InvalidArgument("'${" + std::string(inner) + "}' is not ${NAME} or ${NAME:-default}");
    }
    std::optional<std::string> value = lookup(name);
    if ((!value || value->empty()) && fallback) {
      out += *fallback;
    } else if (value) {
      out += *value;
    }
    pos = close + 1;
  }
  return out;
}

}  // namespace

std::optional<std::string> MapEnv::Get(std::string_view name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> MapEnv::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, value] : vars_) names.push_back(name);
  return names;
}

std::optional<std::string> ProcessEnv::Get(std::string_view name) const {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::vector<std::string> ProcessEnv::Names() const {
  std::vector<std::string> names;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    names.emplace_back(text.substr(0, text.find('=')));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

const ProcessEnv& ProcessEnv::Instance() {
  static const ProcessEnv instance;
  return instance;
}

Result<std::vector<DotEnvEntry>> ParseDotEnv(
    std::string_view text, std::string_view source_name,
    const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  std::vector<DotEnvEntry> entries;
  // Assignments read so far take part in substitution after the process environment.
  auto chained = [&](std::string_view name) -> std::optional<std::string> {
    if (std::optional<std::string> value = lookup(name)) return value;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      if (it->name == name) return it->value;
    }
    return std::nullopt;
  };
  int line_number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = TrimSpaces(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_number;
    auto error = [&](const std::string& what) {
      return InvalidArgument(std::string(source_name) + ":" + std::to_string(line_number) + ": " +
                             what);
    };
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, 7) == "export ") line = TrimSpaces(line.substr(7));
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return error("expected NAME=value");
    std::string_view name = TrimSpaces(line.substr(0, eq));
    if (name.empty() || !IsNameStart(name.front()) ||
        !std::all_of(name.begin(), name.end(), IsNameChar)) {
      return error("'" + std::string(name) + "' is not a variable name");
    }
    std::string_view raw = TrimSpaces(line.substr(eq + 1));
    std::string value;
    if (!raw.empty() && raw.front() == '\'') {
      size_t close = raw.find('\'', 1);
      if (close == std::string_view::npos) return error("unterminated single quote");
      std::string_view rest = TrimSpaces(raw.substr(close + 1));
      if (!rest.empty() && rest.front() != '#') return error("text after the closing quote");
      value = std::string(raw.substr(1, close - 1));
    } else if (!raw.empty() && raw.front() == '"') {
      std::string unescaped;
      size_t i = 1;
      bool closed = false;
      for (; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i + 1 < raw.size()) {
          char next = raw[++i];
          unescaped += next == 'n' ? '\n' : next;
        } else {
          unescaped += c;
        }
      }
      if (!closed) return error("unterminated double quote");
      std::string_view rest = TrimSpaces(raw.substr(i + 1));
      if (!rest.empty() && rest.front() != '#') return error("text after the closing quote");
      Result<std::string> substituted = Substitute(unescaped, chained);
      if (!substituted.ok()) return error(substituted.status().message());
      value = *std::move(substituted);
    } else {
      if (size_t comment = raw.find(" #"); comment != std::string_view::npos) {
        raw = TrimSpaces(raw.substr(0, comment));
      }
      Result<std::string> substituted = Substitute(raw, chained);
      if (!substituted.ok()) return error(substituted.status().message());
      value = *std::move(substituted);
    }
    entries.push_back({std::string(name), std::move(value), line_number});
  }
  return entries;
}

}  // namespace ibstream::config
