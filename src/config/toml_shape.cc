#include "config/toml_shape.h"

#include <vector>

namespace ibstream::config::internal {
namespace {

// Where the scanner is: at the start of a top-level line, in a table header, in a key (before
// its '='), or in a value (after '=', inside arrays, after a header's closing bracket).
enum class Mode { kLineStart, kHeader, kKey, kValue };

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::optional<TomlShapeError> Run() {
    while (pos_ < text_.size() && !error_) Step(text_[pos_]);
    return error_;
  }

 private:
  void Fail(std::string problem) { error_ = TomlShapeError{line_, std::move(problem)}; }

  void NewLine() {
    ++line_;
    ++pos_;
    if (stack_.empty()) mode_ = Mode::kLineStart;
  }

  void SkipComment() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

  bool At(size_t i, char c) const { return i < text_.size() && text_[i] == c; }

  // From the opening quote to just past the closing one (or to the end of the line of an
  // unterminated one-line string, or the end of the text).
  void SkipString() {
    const char quote = text_[pos_];
    const bool basic = quote == '"';
    if (At(pos_ + 1, quote) && At(pos_ + 2, quote)) {
      pos_ += 3;
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == quote && At(pos_ + 1, quote) && At(pos_ + 2, quote)) {
          pos_ += 3;
          // Up to two quotes right before the delimiter belong to the string.
          for (int extra = 0; extra < 2 && At(pos_, quote); ++extra) ++pos_;
          return;
        }
        if (c == '\n') ++line_;
        if (basic && c == '\\' && pos_ + 1 < text_.size()) {
          if (text_[pos_ + 1] == '\n') ++line_;
          ++pos_;
        }
        ++pos_;
      }
      return;
    }
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') return;  // unterminated: the parser reports it
      if (basic && c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') {
        pos_ += 2;
        continue;
      }
      ++pos_;
      if (c == quote) return;
    }
  }

  void Dot(const char* what) {
    ++pos_;
    if (++parts_ > kMaxTomlKeyParts) {
      Fail(std::string(what) + " with more than " + std::to_string(kMaxTomlKeyParts) +
           " dotted parts");
    }
  }

  void Open(char c) {
    ++pos_;
    stack_.push_back(c);
    if (stack_.size() > static_cast<size_t>(kMaxTomlNesting)) {
      Fail("arrays and inline tables nested more than " + std::to_string(kMaxTomlNesting) +
           " deep");
      return;
    }
    if (c == '{') StartKey();
  }

  void Close() {
    ++pos_;
    if (!stack_.empty()) stack_.pop_back();
    mode_ = Mode::kValue;
  }

  void StartKey() {
    mode_ = Mode::kKey;
    parts_ = 1;
  }

  void Step(char c) {
    if (c == '\n') return NewLine();
    switch (mode_) {
      case Mode::kLineStart:
        if (c == '#') return SkipComment();
        if (c == '[') {
          ++pos_;
          if (At(pos_, '[')) ++pos_;
          mode_ = Mode::kHeader;
          parts_ = 1;
          return;
        }
        if (c != ' ' && c != '\t' && c != '\r') return StartKey();
        ++pos_;
        return;
      case Mode::kHeader:
        if (c == '"' || c == '\'') return SkipString();
        if (c == '.') return Dot("table header");
        if (c == ']') mode_ = Mode::kValue;  // a second ']' or a comment may follow
        ++pos_;
        return;
      case Mode::kKey:
        if (c == '"' || c == '\'') return SkipString();
        if (c == '.') return Dot("key");
        if (c == '#') return SkipComment();
        if (c == '=') mode_ = Mode::kValue;
        if (c == '}') return Close();  // `{}` or a trailing comma
        ++pos_;
        return;
      case Mode::kValue:
        if (c == '"' || c == '\'') return SkipString();
        if (c == '#') return SkipComment();
        if (c == '[' || c == '{') return Open(c);
        if (c == ']' || c == '}') return Close();
        if (c == ',' && !stack_.empty() && stack_.back() == '{') {
          ++pos_;
          return StartKey();
        }
        ++pos_;
        return;
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  Mode mode_ = Mode::kLineStart;
  int parts_ = 1;
  std::vector<char> stack_;
  std::optional<TomlShapeError> error_;
};

}  // namespace

std::optional<TomlShapeError> CheckTomlShape(std::string_view text) { return Scanner(text).Run(); }

}  // namespace ibstream::config::internal
