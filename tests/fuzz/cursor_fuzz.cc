// libFuzzer target: the list cursors (http::DecodeCursor, http::EncodeKeysetCursor, http::EncodeOffsetCursor).
// Checks beyond no crash / no sanitizer report:
//  - a cursor that decodes re-encodes to one that decodes to the same position;
//  - every cursor the encoders issue (from positions taken from the input) decodes to that position:
//    the server never hands out a next_cursor it would then refuse.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "http/cursor.h"

using namespace civicgrid;

namespace {
void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "cursor_fuzz: invariant broken: %s\n", what);
    abort();
  }
}

void CheckIssued(std::int64_t id, int offset) {
  if (id > 0) {
    auto c = http::DecodeCursor(http::EncodeKeysetCursor(id), false);
    Check(c.ok() && c->before == id && !c->offset, "an issued keyset cursor decodes to its id");
  }
  if (offset > 0) {
    if (auto text = http::EncodeOffsetCursor(offset)) {
      auto c = http::DecodeCursor(*text, true);
      Check(c.ok() && c->offset == offset && !c->before, "an issued offset cursor decodes to its offset");
    }
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool ranked : {false, true}) {
    auto c = http::DecodeCursor(text, ranked);
    if (!c.ok()) {
      Check(c.error().code == ErrorCode::kBadRequest && c.error().field == "cursor", "a refusal is a 400 on cursor");
      continue;
    }
    Check(bool(c->before) != bool(c->offset), "a cursor is keyset or offset");
    Check(bool(c->offset) == ranked, "the cursor kind fits the query");
    if (c->before) {
      auto again = http::DecodeCursor(http::EncodeKeysetCursor(*c->before), ranked);
      Check(again.ok() && again->before == c->before, "a keyset cursor round-trips");
    } else {
      auto text_again = http::EncodeOffsetCursor(*c->offset);
      Check(bool(text_again), "a decoded offset can be encoded");
      auto again = http::DecodeCursor(*text_again, ranked);
      Check(again.ok() && again->offset == c->offset, "an offset cursor round-trips");
    }
  }
  // The same bytes as positions the store could hand back: a next id and a next offset (offset + limit,
  // up to kMaxRankedOffset + 500).
  std::int64_t id = 0;
  std::uint32_t raw = 0;
  std::memcpy(&id, data, std::min(size, sizeof id));
  if (size > sizeof id) std::memcpy(&raw, data + sizeof id, std::min(size - sizeof id, sizeof raw));
  CheckIssued(id, int(raw % (http::kMaxRankedOffset + 501)));
  CheckIssued(id, int(raw & 0x7fffffff));
  return 0;
}
