// Full-text search over Chinese and English case text: an FTS5 tokenizer named "civicgrid" and the
// matching query builder. Chinese has no word breaks, so ideograph runs are indexed as overlapping bigrams
// (no dictionary to ship or keep current); ASCII words are indexed whole, lower-cased. Documents and
// queries go through the same tokenizer, so a quoted query phrase matches as a contiguous substring.
#pragma once

#include <optional>
#include <string>
#include <string_view>

struct sqlite3;

namespace civicgrid::store {

// Registers the FTS5 tokenizer "civicgrid" on this connection (call once per connection, before any
// statement uses an FTS5 table declared with tokenize='civicgrid'). Returns an SQLite result code.
// Also registers the auxiliary function civicgrid_rank(table) (relevance from a row's own hits; higher first).
int RegisterCjkTokenizer(sqlite3* db);

// Turns a user's search text into an FTS5 MATCH expression that is safe against FTS5 syntax (every term is
// a double-quoted string, inner quotes doubled), terms ANDed (space-separated). Returns std::nullopt when no
// term is searchable (empty text, or only single CJK characters / single ASCII letters).
std::optional<std::string> MatchExpression(std::string_view user_text);

}  // namespace civicgrid::store
