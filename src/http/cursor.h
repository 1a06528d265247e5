// The list cursors of GET /api/v1/cases: "c<id>" continues a list in id order below that case (keyset),
// "o<n>" continues a ranked full-text list at position n. Pure string codecs, callable from any thread;
// split from http/api/cases.cc so they are unit-tested and fuzzed without the server (tests/fuzz/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace civicgrid::http {

// Ranked lists page no deeper than this: the store ranks a window of offset + limit matches.
inline constexpr int kMaxRankedOffset = 10000;

struct Cursor {
  std::optional<std::int64_t> before;  // keyset: ids below this one
  std::optional<int> offset;           // ranked: skip this many
};

// `before_id` is a case id (> 0).
std::string EncodeKeysetCursor(std::int64_t before_id);
// nullopt past kMaxRankedOffset: a ranked list ends there rather than issue a cursor DecodeCursor refuses.
std::optional<std::string> EncodeOffsetCursor(int offset);

// A cursor this server issued for this kind of query (`ranked`: the query has a "q"); anything else is a
// 400 naming the field "cursor". Every cursor the encoders issue decodes to the position it was made from.
Result<Cursor> DecodeCursor(std::string_view text, bool ranked);

}  // namespace civicgrid::http
