#include "http/cursor.h"

#include <charconv>

namespace civicgrid::http {

std::string EncodeKeysetCursor(std::int64_t before_id) { return "c" + std::to_string(before_id); }

std::optional<std::string> EncodeOffsetCursor(int offset) {
  if (offset <= 0 || offset > kMaxRankedOffset) return std::nullopt;
  return "o" + std::to_string(offset);
}

Result<Cursor> DecodeCursor(std::string_view text, bool ranked) {
  const auto refuse = [] { return BadRequest("cursor", "cursor is not one this server issued for this query"); };
  if (text.empty()) return refuse();
  std::int64_t n = 0;
  const char* b = text.data() + 1;
  const char* e = text.data() + text.size();
  auto [p, ec] = std::from_chars(b, e, n);
  const char kind = text[0];
  if ((kind != 'c' && kind != 'o') || ec != std::errc() || p != e || n <= 0 || (kind == 'c') == ranked ||
      (kind == 'o' && n > kMaxRankedOffset))
    return refuse();
  Cursor c;
  if (kind == 'c') c.before = n;
  else c.offset = int(n);
  return c;
}

}  // namespace civicgrid::http
