// The "civicgrid" FTS5 tokenizer. One pass over the bytes, no allocation for ordinary text: CJK tokens are
// slices of the input (two adjacent ideographs are contiguous bytes), and ASCII words are folded into a
// stack buffer. The same scanner decides, in MatchExpression, whether a query term can match anything.
#include "store/sqlite/cjk_tokenizer.h"

#include <cmath>

#include <sqlite3.h>

#include <cstddef>
#include <string>

namespace civicgrid::store {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

struct Decoded {
  char32_t cp;  // kInvalid for a byte that does not start a well-formed sequence
  int len;      // bytes consumed, always >= 1
};

// Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). A bad sequence consumes one
// byte only, so a stray byte never swallows the valid text after it; never reads at or past `end`.
inline Decoded Decode(const unsigned char* p, const unsigned char* end) {
  const char32_t c = p[0];
  if (c < 0x80) return {c, 1};
  const std::ptrdiff_t avail = end - p;
  auto cont = [p](int i) { return (p[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) {
    if (avail >= 2 && cont(1)) return {((c & 0x1F) << 6) | (p[1] & 0x3F), 2};
  } else if (c >= 0xE0 && c <= 0xEF) {
    if (avail >= 3 && cont(1) && cont(2)) {
      const char32_t cp = ((c & 0x0F) << 12) | (char32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
      if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) return {cp, 3};
    }
  } else if (c >= 0xF0 && c <= 0xF4) {
    if (avail >= 4 && cont(1) && cont(2) && cont(3)) {
      const char32_t cp =
          ((c & 0x07) << 18) | (char32_t(p[1] & 0x3F) << 12) | (char32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
      if (cp >= 0x10000 && cp <= 0x10FFFF) return {cp, 4};
    }
  }
  return {kInvalid, 1};
}

enum class Kind { kSeparator, kWord, kCjk };

struct Class {
  Kind kind;
  char ascii;  // for kWord: the character as it is indexed (lower-case ASCII letter or digit)
};

inline bool IsCjkIdeograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0x20000 && cp <= 0x2FA1F);
}

inline Class Classify(char32_t cp) {
  if (cp < 0x80) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) return {Kind::kWord, char(cp)};
    if (cp >= 'A' && cp <= 'Z') return {Kind::kWord, char(cp - 'A' + 'a')};
    return {Kind::kSeparator, 0};
  }
  // Full-width letters and digits come from Chinese input methods; index them as the ASCII they mean.
  if (cp >= 0xFF10 && cp <= 0xFF5A) {
    if (cp <= 0xFF19) return {Kind::kWord, char('0' + (cp - 0xFF10))};
    if (cp >= 0xFF21 && cp <= 0xFF3A) return {Kind::kWord, char('a' + (cp - 0xFF21))};
    if (cp >= 0xFF41) return {Kind::kWord, char('a' + (cp - 0xFF41))};
    return {Kind::kSeparator, 0};
  }
  if (IsCjkIdeograph(cp)) return {Kind::kCjk, 0};
  return {Kind::kSeparator, 0};
}

enum class TokenKind { kWord, kCjkBigram, kCjkUnigram };

// Calls emit(kind, token, token_bytes, start, end) for each token in order; stops at and returns the first
// non-zero value emit returns (SQLite's contract for xToken), else 0.
template <typename Emit>
int Scan(const char* text, int n, Emit&& emit) {
  if (text == nullptr || n <= 0) return 0;
  const auto* const p = reinterpret_cast<const unsigned char*>(text);
  const auto* const end = p + n;

  // The folded word. Words longer than the stack buffer (hashes, URLs, garbage) spill into `long_word`,
  // allocated at most once per call.
  constexpr int kStackWord = 128;
  char word[kStackWord];
  std::string long_word;
  int word_len = 0;
  int word_start = 0;

  // The CJK run: where its last ideograph started, and whether that one is the run's first.
  int cjk_prev = -1;
  bool cjk_single = false;

  auto flush_word = [&](int word_end) {
    const char* tok = word_len <= kStackWord ? word : long_word.data();
    const int rc = emit(TokenKind::kWord, tok, word_len, word_start, word_end);
    word_len = 0;
    return rc;
  };

  int pos = 0;
  while (pos < n) {
    const Decoded d = Decode(p + pos, end);
    const Class c = Classify(d.cp);
    if (c.kind != Kind::kWord && word_len > 0) {
      if (int rc = flush_word(pos)) return rc;
    }
    if (c.kind != Kind::kCjk && cjk_prev >= 0) {
      // A lone ideograph is indexed as itself; in longer runs it already is part of a bigram.
      if (cjk_single) {
        if (int rc = emit(TokenKind::kCjkUnigram, text + cjk_prev, pos - cjk_prev, cjk_prev, pos)) return rc;
      }
      cjk_prev = -1;
    }
    if (c.kind == Kind::kWord) {
      if (word_len == 0) word_start = pos;
      if (word_len < kStackWord) {
        word[word_len] = c.ascii;
      } else {
        if (word_len == kStackWord) long_word.assign(word, kStackWord);
        long_word.push_back(c.ascii);
      }
      ++word_len;
    } else if (c.kind == Kind::kCjk) {
      if (cjk_prev >= 0) {
        const int bigram_end = pos + d.len;
        if (int rc = emit(TokenKind::kCjkBigram, text + cjk_prev, bigram_end - cjk_prev, cjk_prev, bigram_end))
          return rc;
        cjk_single = false;
      } else {
        cjk_single = true;
      }
      cjk_prev = pos;
    }
    pos += d.len;
  }
  if (word_len > 0) {
    if (int rc = flush_word(pos)) return rc;
  }
  if (cjk_prev >= 0 && cjk_single) {
    return emit(TokenKind::kCjkUnigram, text + cjk_prev, pos - cjk_prev, cjk_prev, pos);
  }
  return 0;
}

// The tokenizer keeps no state, so every instance is this one tag object (FTS5 only passes it back).
char tokenizer_instance_tag;

int TokenizerCreate(void* /*context*/, const char** /*args*/, int n_args, Fts5Tokenizer** out) {
  // No options exist; refusing them turns a typo in tokenize='...' into a CREATE error, not a silent default.
  if (n_args > 0) return SQLITE_ERROR;
  *out = reinterpret_cast<Fts5Tokenizer*>(&tokenizer_instance_tag);
  return SQLITE_OK;
}

void TokenizerDelete(Fts5Tokenizer* /*instance*/) {}

int TokenizerTokenize(Fts5Tokenizer* /*instance*/, void* ctx, int /*flags*/, const char* text, int n,
                      int (*x_token)(void*, int, const char*, int, int, int)) {
  return Scan(text, n, [&](TokenKind, const char* tok, int tok_len, int start, int end) {
    return x_token(ctx, 0, tok, tok_len, start, end);
  });
}

fts5_tokenizer tokenizer_methods = {TokenizerCreate, TokenizerDelete, TokenizerTokenize};

// Fetches this connection's FTS5 API the documented way (a pointer passed through SELECT fts5(?1)).
fts5_api* Fts5Api(sqlite3* db, int* rc) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  *rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr);
  if (*rc != SQLITE_OK) return nullptr;  // no FTS5 in this SQLite build
  sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
  const int step = sqlite3_step(stmt);
  *rc = sqlite3_finalize(stmt);
  if (*rc == SQLITE_OK && step != SQLITE_ROW) *rc = SQLITE_ERROR;
  return *rc == SQLITE_OK ? api : nullptr;
}

constexpr int kMaxTerms = 16;
constexpr std::size_t kMaxTermBytes = 256;

// Splits query terms. Control characters split too: a NUL inside the expression would end FTS5's view
// of it mid-string (an "unterminated string" error).
inline bool IsQuerySeparator(char32_t cp) { return cp <= 0x20 || cp == 0x7F || cp == 0x3000; }

// A term can match something only if it holds a token longer than one character: single ideographs are
// indexed only where they stand alone, single letters are too common to search for.
bool Searchable(const std::string& term) {
  return Scan(term.data(), int(term.size()), [](TokenKind kind, const char*, int tok_len, int, int) {
           return kind == TokenKind::kCjkBigram || (kind == TokenKind::kWord && tok_len >= 2) ? 1 : 0;
         }) != 0;
}

}  // namespace

namespace {

// civicgrid_rank(cases_fts): relevance without corpus statistics. bm25 needs each phrase's document
// frequency, which FTS5 finds by running the whole phrase query once per statement: 40 ms for a phrase in a
// fifth of a million cases, whatever the LIMIT. This scores a row from its own hits only: a hit in the title
// counts 3, in the description 1, in the address 0.5, divided by the square root of the row's length in
// tokens (a hit in a short text says more). Higher is better.
void RankFunction(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* out, int, sqlite3_value**) {
  int hits = 0;
  if (api->xInstCount(fts, &hits) != SQLITE_OK) {
    sqlite3_result_error(out, "civicgrid_rank: no hits", -1);
    return;
  }
  double score = 0;
  for (int i = 0; i < hits; ++i) {
    int phrase = 0, column = 0, offset = 0;
    if (api->xInst(fts, i, &phrase, &column, &offset) != SQLITE_OK) break;
    score += column == 0 ? 3.0 : column == 1 ? 1.0 : column == 2 ? 0.5 : 0.0;  // later columns: scope, not text
  }
  int tokens = 0;
  if (api->xColumnSize(fts, -1, &tokens) != SQLITE_OK || tokens < 1) tokens = 1;
  sqlite3_result_double(out, score / std::sqrt(double(tokens)));
}

}  // namespace

int RegisterCjkTokenizer(sqlite3* db) {
  if (db == nullptr) return SQLITE_MISUSE;
  int rc = SQLITE_OK;
  fts5_api* api = Fts5Api(db, &rc);
  if (api == nullptr) return rc != SQLITE_OK ? rc : SQLITE_ERROR;
  if (api->iVersion < 2) return SQLITE_ERROR;
  // FTS5 copies the method table; the instance tag needs no context and nothing to destroy.
  if (int trc = api->xCreateTokenizer(api, "civicgrid", nullptr, &tokenizer_methods, nullptr); trc != SQLITE_OK)
    return trc;
  return api->xCreateFunction(api, "civicgrid_rank", nullptr, &RankFunction, nullptr);
}

std::optional<std::string> MatchExpression(std::string_view user_text) {
  const auto* const p = reinterpret_cast<const unsigned char*>(user_text.data());
  const auto* const end = p + user_text.size();
  std::string out;
  std::string term;  // the current piece, cut to kMaxTermBytes
  int terms = 0;

  const unsigned char* q = p;
  while (q < end && terms < kMaxTerms) {
    Decoded d = Decode(q, end);
    if (d.cp != kInvalid && IsQuerySeparator(d.cp)) {
      q += d.len;
      continue;
    }
    term.clear();
    bool full = false;
    for (; q < end; q += d.len) {
      d = Decode(q, end);
      if (d.cp != kInvalid && IsQuerySeparator(d.cp)) break;
      if (full || term.size() + std::size_t(d.len) > kMaxTermBytes) {
        full = true;  // keep consuming the piece, keep none of it
        continue;
      }
      // An invalid byte becomes a space: the tokenizer treats both as a separator, so the phrase means the
      // same, and the expression stays valid UTF-8 for logs and JSON.
      if (d.cp == kInvalid) {
        term.push_back(' ');
      } else {
        term.append(reinterpret_cast<const char*>(q), std::size_t(d.len));
      }
    }
    if (!Searchable(term)) continue;
    if (!out.empty()) out.push_back(' ');
    out.push_back('"');
    for (char ch : term) {
      if (ch == '"') out.push_back('"');
      out.push_back(ch);
    }
    out.push_back('"');
    ++terms;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace civicgrid::store
