#include "store/sqlite/cjk_tokenizer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace civicgrid::store {
namespace {

struct Token {
  std::string text;
  int start;
  int end;
  bool operator==(const Token& o) const { return text == o.text && start == o.start && end == o.end; }
};

std::ostream& operator<<(std::ostream& os, const Token& t) {
  return os << "{\"" << t.text << "\", " << t.start << ", " << t.end << "}";
}

class CjkTokenizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_EQ(RegisterCjkTokenizer(db_), SQLITE_OK);
  }
  void TearDown() override { sqlite3_close(db_); }

  // Runs the registered tokenizer the way FTS5 does, through the connection's fts5_api.
  std::vector<Token> Tokenize(std::string_view text) {
    fts5_api* api = nullptr;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, "SELECT fts5(?1)", -1, &stmt, nullptr), SQLITE_OK);
    sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    EXPECT_NE(api, nullptr);
    if (api == nullptr) return {};

    void* ctx = nullptr;
    fts5_tokenizer methods{};
    EXPECT_EQ(api->xFindTokenizer(api, "civicgrid", &ctx, &methods), SQLITE_OK);
    Fts5Tokenizer* instance = nullptr;
    EXPECT_EQ(methods.xCreate(ctx, nullptr, 0, &instance), SQLITE_OK);
    struct Sink {
      std::string_view input;
      std::vector<Token> tokens;
    } sink{text, {}};
    const int rc = methods.xTokenize(instance, &sink, FTS5_TOKENIZE_DOCUMENT, text.data(), int(text.size()),
                                     [](void* p, int tflags, const char* tok, int n, int start, int end) {
                                       auto* s = static_cast<Sink*>(p);
                                       EXPECT_EQ(tflags, 0);
                                       EXPECT_GT(n, 0);
                                       EXPECT_LE(0, start);
                                       EXPECT_LT(start, end);
                                       EXPECT_LE(end, int(s->input.size()));
                                       s->tokens.push_back({std::string(tok, size_t(n)), start, end});
                                       return SQLITE_OK;
                                     });
    EXPECT_EQ(rc, SQLITE_OK);
    methods.xDelete(instance);
    return std::move(sink.tokens);
  }

  void Exec(const std::string& sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "") << " in " << sql;
  }

  // The manhole, noise and leak cases that the search tests look for.
  void CreateCases() {
    Exec("CREATE VIRTUAL TABLE t USING fts5(title, description, address, tokenize='civicgrid')");
    Exec(R"(INSERT INTO t(rowid, title, description, address) VALUES
      (1, '井盖破损', '人行道井盖破损，存在安全隐患', '幸福路12号'),
      (2, '小区井盖缺失', '3号楼前井盖被盗', '和平街'),
      (3, '夜间施工噪音扰民', '工地晚上施工噪音很大', '建设路'),
      (4, '楼上漏水', '卫生间漏水严重', '花园小区5栋'),
      (5, 'Noise complaint', 'noise at night from the bar', 'Riverside Road'),
      (6, '路灯不亮', '路灯坏了，晚上很黑', '井冈山路'),
      (7, '水管爆裂', '主水管爆裂漏水，马路积水', '人民路'))");
  }

  // Rowids matching the search text, best first; an error fails the test.
  std::vector<std::int64_t> Search(std::string_view user_text) {
    std::vector<std::int64_t> ids;
    const auto expr = MatchExpression(user_text);
    if (!expr) return ids;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rank", -1, &stmt, nullptr),
              SQLITE_OK);
    sqlite3_bind_text(stmt, 1, expr->data(), int(expr->size()), SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(stmt, 0));
    EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db_) << " for " << *expr;
    sqlite3_finalize(stmt);
    return ids;
  }

  std::string QueryText(const std::string& sql, const std::string& arg) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
    sqlite3_bind_text(stmt, 1, arg.data(), int(arg.size()), SQLITE_TRANSIENT);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
      out.assign(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), size_t(sqlite3_column_bytes(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    return out;
  }

  sqlite3* db_ = nullptr;
};

using Ids = std::vector<std::int64_t>;

TEST_F(CjkTokenizerTest, IdeographRunsBecomeOverlappingBigrams) {
  EXPECT_EQ(Tokenize("井盖破损"), (std::vector<Token>{{"井盖", 0, 6}, {"盖破", 3, 9}, {"破损", 6, 12}}));
  EXPECT_EQ(Tokenize("井盖"), (std::vector<Token>{{"井盖", 0, 6}}));
}

TEST_F(CjkTokenizerTest, LoneIdeographIsAUnigram) {
  EXPECT_EQ(Tokenize("水"), (std::vector<Token>{{"水", 0, 3}}));
  EXPECT_EQ(Tokenize("a井b"), (std::vector<Token>{{"a", 0, 1}, {"井", 1, 4}, {"b", 4, 5}}));
  EXPECT_EQ(Tokenize("水，电"), (std::vector<Token>{{"水", 0, 3}, {"电", 6, 9}}));
}

TEST_F(CjkTokenizerTest, MixedTextWithOffsets) {
  const std::string text = "3号楼 井盖ABC，Noise!";
  EXPECT_EQ(Tokenize(text),
            (std::vector<Token>{{"3", 0, 1}, {"号楼", 1, 7}, {"井盖", 8, 14}, {"abc", 14, 17}, {"noise", 20, 25}}));
  // Offsets point at the original bytes (what highlight() and snippet() cut out).
  EXPECT_EQ(text.substr(20, 5), "Noise");
  EXPECT_EQ(text.substr(8, 6), "井盖");
}

TEST_F(CjkTokenizerTest, FullWidthLettersAndDigitsFoldToAscii) {
  // ＡＢｃ１２ is five 3-byte characters; the token is ASCII, the offsets cover the original bytes.
  EXPECT_EQ(Tokenize("ＡＢｃ１２"), (std::vector<Token>{{"abc12", 0, 15}}));
  EXPECT_EQ(Tokenize("Ｎｏｉｓｅ井盖"), (std::vector<Token>{{"noise", 0, 15}, {"井盖", 15, 21}}));
  // Full-width punctuation between them still separates.
  EXPECT_EQ(Tokenize("ａ！ｂ"), (std::vector<Token>{{"a", 0, 3}, {"b", 6, 9}}));
}

TEST_F(CjkTokenizerTest, PunctuationSpacesAndEmojiSeparate) {
  EXPECT_EQ(Tokenize("井盖、破损！？"), (std::vector<Token>{{"井盖", 0, 6}, {"破损", 9, 15}}));
  EXPECT_EQ(Tokenize("井盖\u3000破损"), (std::vector<Token>{{"井盖", 0, 6}, {"破损", 9, 15}}));
  EXPECT_EQ(Tokenize("井盖😀破损"), (std::vector<Token>{{"井盖", 0, 6}, {"破损", 10, 16}}));
  EXPECT_EQ(Tokenize("hello-world_2026"), (std::vector<Token>{{"hello", 0, 5}, {"world", 6, 11}, {"2026", 12, 16}}));
  EXPECT_TRUE(Tokenize("，。！？ \t\n😀").empty());
  EXPECT_TRUE(Tokenize("").empty());
}

TEST_F(CjkTokenizerTest, AllIdeographBlocks) {
  // Extension A (U+3400), compatibility (U+F900), extension B (U+20000, 4 bytes each).
  EXPECT_EQ(Tokenize("\u3400\uF900"), (std::vector<Token>{{"\u3400\uF900", 0, 6}}));
  EXPECT_EQ(Tokenize("\U00020000\U00020001"), (std::vector<Token>{{"\U00020000\U00020001", 0, 8}}));
  // Kana and hangul are not in the ideograph ranges: separators.
  EXPECT_EQ(Tokenize("井の盖"), (std::vector<Token>{{"井", 0, 3}, {"盖", 6, 9}}));
}

TEST_F(CjkTokenizerTest, InvalidUtf8IsASeparator) {
  EXPECT_EQ(Tokenize("ab\xff"
                     "cd"),
            (std::vector<Token>{{"ab", 0, 2}, {"cd", 3, 5}}));
  // Overlong '/', a UTF-16 surrogate, and a code point past U+10FFFF are all rejected.
  EXPECT_EQ(Tokenize("a\xc0\xaf"
                     "b\xed\xa0\x80"
                     "c\xf4\x90\x80\x80"
                     "d"),
            (std::vector<Token>{{"a", 0, 1}, {"b", 3, 4}, {"c", 7, 8}, {"d", 12, 13}}));
  // A lone continuation byte inside a run splits it; a sequence cut off by the end of input is dropped.
  EXPECT_EQ(Tokenize("井\x80盖破\xe6\x8d"), (std::vector<Token>{{"井", 0, 3}, {"盖破", 4, 10}}));
  // The truncated lead byte must not let a valid character after it be swallowed.
  EXPECT_EQ(Tokenize("\xe4"
                     "ab"),
            (std::vector<Token>{{"ab", 1, 3}}));
}

TEST_F(CjkTokenizerTest, LargeAndHostileInputsDoNotCrash) {
  std::string random(100 * 1024, '\0');
  std::mt19937 rng(42);
  for (char& c : random) c = char(rng() & 0xFF);
  Tokenize(random);  // the callback checks every offset stays inside the input

  std::string cjk;
  while (cjk.size() < 100 * 1024) cjk += "井盖破损";
  EXPECT_EQ(Tokenize(cjk).size(), cjk.size() / 3 - 1);

  // One 100 KB word: longer than any stack buffer.
  const std::string word(100 * 1024, 'A');
  const auto tokens = Tokenize(word);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].text, std::string(word.size(), 'a'));
  EXPECT_EQ(tokens[0].end, int(word.size()));

  // Truncated sequences at the very end of the buffer (no terminating NUL is relied on).
  for (const char* tail : {"\xe4", "\xe4\xba", "\xf0\xa0\x80", "\xc3"}) Tokenize(std::string("x") + tail);

  // And the same through FTS5: the rows go in and the tables stay searchable.
  CreateCases();
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db_, "INSERT INTO t(title, description, address) VALUES (?1, ?2, ?3)", -1, &stmt, nullptr),
      SQLITE_OK);
  sqlite3_bind_blob(stmt, 1, random.data(), int(random.size()), SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, cjk.data(), int(cjk.size()), SQLITE_STATIC);
  sqlite3_bind_text(stmt, 3, word.data(), int(word.size()), SQLITE_STATIC);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db_);
  sqlite3_finalize(stmt);
  EXPECT_EQ(Search("井盖 缺失"), (Ids{2}));
  EXPECT_EQ(Search("破损井盖").size(), 1u);  // only the large row has 破损井盖 as a substring
}

TEST_F(CjkTokenizerTest, RejectsTokenizerArguments) {
  EXPECT_NE(sqlite3_exec(db_, "CREATE VIRTUAL TABLE bad USING fts5(x, tokenize='civicgrid porter')", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
}

TEST(MatchExpression, QuotesEachSearchableTerm) {
  EXPECT_EQ(MatchExpression("井盖"), "\"井盖\"");
  EXPECT_EQ(MatchExpression("  井盖\u3000noise\t"), "\"井盖\" \"noise\"");
  EXPECT_EQ(MatchExpression("Noise"), "\"Noise\"");
  EXPECT_EQ(MatchExpression("say\"hi\""), "\"say\"\"hi\"\"\"");
  EXPECT_EQ(MatchExpression("3号楼"), "\"3号楼\"");
}

TEST(MatchExpression, NothingSearchable) {
  EXPECT_EQ(MatchExpression(""), std::nullopt);
  EXPECT_EQ(MatchExpression(" \t\u3000\n"), std::nullopt);
  EXPECT_EQ(MatchExpression("井"), std::nullopt);
  EXPECT_EQ(MatchExpression("a"), std::nullopt);
  EXPECT_EQ(MatchExpression("井 a 水，电 3号 ！？ \"\""), std::nullopt);
  EXPECT_EQ(MatchExpression("井 噪音 a"), "\"噪音\"");
}

TEST(MatchExpression, LimitsTermsAndTermLength) {
  std::string many;
  for (int i = 0; i < 20; ++i) many += "w" + std::to_string(i) + " ";
  std::string expected;
  for (int i = 0; i < 16; ++i) expected += (i ? " \"w" : "\"w") + std::to_string(i) + "\"";
  EXPECT_EQ(MatchExpression(many), expected);

  // 100 ideographs are 300 bytes: the term keeps the first 85 (255 bytes), never half a character.
  std::string long_term;
  for (int i = 0; i < 100; ++i) long_term += "井";
  const auto expr = MatchExpression(long_term + " 噪音");
  ASSERT_TRUE(expr.has_value());
  std::string cut;
  for (int i = 0; i < 85; ++i) cut += "井";
  EXPECT_EQ(*expr, "\"" + cut + "\" \"噪音\"");

  // The limit is on the term as typed; doubling its quotes comes after.
  const std::string quotes(300, '"');
  EXPECT_EQ(MatchExpression("ab" + quotes), "\"ab" + std::string(2 * 254, '"') + "\"");
}

TEST(MatchExpression, ControlCharactersAndInvalidBytes) {
  // A NUL would end FTS5's reading of the expression mid-string: it splits terms instead.
  EXPECT_EQ(MatchExpression(std::string("井盖\0噪音", 13)), "\"井盖\" \"噪音\"");
  // Invalid bytes become spaces inside the phrase, which the tokenizer reads the same way.
  EXPECT_EQ(MatchExpression("ab\xff"
                            "cd"),
            "\"ab cd\"");
  EXPECT_EQ(MatchExpression("\xff\xfe"), std::nullopt);
}

TEST_F(CjkTokenizerTest, FindsChineseTerms) {
  CreateCases();
  const auto manhole = Search("井盖");
  EXPECT_EQ(std::set<std::int64_t>(manhole.begin(), manhole.end()), (std::set<std::int64_t>{1, 2}));
  EXPECT_EQ(Search("噪音"), (Ids{3}));
  const auto leak = Search("漏水");
  EXPECT_EQ(std::set<std::int64_t>(leak.begin(), leak.end()), (std::set<std::int64_t>{4, 7}));
  // A longer phrase is a substring match: 破损 alone would also hit row 1 only, 井盖破损 must be contiguous.
  EXPECT_EQ(Search("井盖破损"), (Ids{1}));
  EXPECT_TRUE(Search("盖井").empty());
  // 井冈山路 (row 6) shares the character 井 but not the bigram.
  EXPECT_EQ(MatchExpression("井"), std::nullopt);
}

TEST_F(CjkTokenizerTest, FindsEnglishTermsCaseInsensitively) {
  CreateCases();
  EXPECT_EQ(Search("Noise"), (Ids{5}));
  EXPECT_EQ(Search("NIGHT"), (Ids{5}));
  EXPECT_EQ(Search("ｎｏｉｓｅ"), (Ids{5}));  // full-width input from a Chinese IME
  EXPECT_EQ(Search("riverside road"), (Ids{5}));
  EXPECT_TRUE(Search("nois").empty());  // whole words, no stemming or prefixes
}

TEST_F(CjkTokenizerTest, TermsAreAnded) {
  CreateCases();
  EXPECT_EQ(Search("井盖 缺失"), (Ids{2}));
  EXPECT_EQ(Search("施工 噪音"), (Ids{3}));
  EXPECT_EQ(Search("漏水 马路"), (Ids{7}));
  EXPECT_EQ(Search("noise night"), (Ids{5}));
  EXPECT_TRUE(Search("井盖 漏水").empty());
  EXPECT_TRUE(Search("noise 井盖").empty());
}

TEST_F(CjkTokenizerTest, RankPrefersTitleRepeats) {
  Exec("CREATE VIRTUAL TABLE t USING fts5(title, description, address, tokenize='civicgrid')");
  Exec(R"(INSERT INTO t(rowid, title, description, address) VALUES
    (10, '路灯不亮', '旁边井盖', '和平街'),
    (11, '井盖丢失 井盖', '请尽快处理', '和平街'),
    (12, '垃圾堆放', '无人清理', '和平街'))");
  EXPECT_EQ(Search("井盖"), (Ids{11, 10}));
}

// civicgrid_rank: the store's relevance (no corpus statistics): title hits over description hits over address
// hits, and a hit in a short text over one in a long text. Works on a contentless table, as the store's is.
TEST_F(CjkTokenizerTest, CivicgridRankOrdersByWhereTheHitsAre) {
  Exec("CREATE VIRTUAL TABLE c USING fts5(title, description, address, content='', tokenize='civicgrid')");
  Exec(R"(INSERT INTO c(rowid, title, description, address) VALUES
    (20, '路灯不亮', '旁边井盖', '和平街'),
    (21, '井盖丢失', '请尽快处理', '和平街'),
    (22, '垃圾堆放', '无人清理', '井盖路'),
    (23, '井盖丢失', '请尽快处理，这里晚上车很多，行人也很多，已经有人差点摔倒，希望相关部门尽快派人来看看', '和平街'),
    (24, '噪音', '无', '和平街'))");
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db_, "SELECT rowid FROM c WHERE c MATCH ?1 ORDER BY civicgrid_rank(c) DESC", -1, &stmt,
                               nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db_);
  const auto expr = MatchExpression("井盖");
  sqlite3_bind_text(stmt, 1, expr->c_str(), -1, SQLITE_TRANSIENT);
  Ids ids;
  while (sqlite3_step(stmt) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(stmt, 0));
  sqlite3_finalize(stmt);
  EXPECT_EQ(ids, (Ids{21, 23, 20, 22}));
}

TEST_F(CjkTokenizerTest, HighlightUsesByteOffsets) {
  CreateCases();
  const std::string sql = "SELECT highlight(t, 1, '[', ']') FROM t WHERE t MATCH ?1 AND rowid = 1";
  EXPECT_EQ(QueryText(sql, *MatchExpression("井盖")), "人行道[井盖]破损，存在安全隐患");
  EXPECT_EQ(QueryText(sql, *MatchExpression("井盖破损")), "人行道[井盖破损]，存在安全隐患");
  EXPECT_EQ(QueryText("SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH ?1", *MatchExpression("NOISE")),
            "[Noise] complaint");
}

TEST_F(CjkTokenizerTest, UserTextNeverBreaksTheQuery) {
  CreateCases();
  const std::vector<std::string> hostile = {"a\" OR \"b",
                                            "NEAR(",
                                            "NEAR(井盖 噪音, 2)",
                                            "*",
                                            "-",
                                            "井盖*",
                                            "-井盖",
                                            "^井盖",
                                            "title:井盖",
                                            "{title address}: 井盖",
                                            "\"",
                                            "\"\"\"\"",
                                            "AND",
                                            "OR NOT",
                                            "井盖 OR 噪音",
                                            "井盖 NOT 噪音",
                                            "(",
                                            ")",
                                            "(井盖",
                                            "井盖)",
                                            "+",
                                            "井盖 + 噪音",
                                            "rowid:1",
                                            "t MATCH 'x'",
                                            "'; DROP TABLE t; --",
                                            "\\",
                                            "col:*",
                                            std::string("ab\0\"cd", 6),
                                            "\xff\"\xfe OR"};
  for (const auto& text : hostile) {
    Search(text);  // Search fails the test on any SQLite error
  }
  // Operators inside a term are just text: OR is a word, the column filter is not applied.
  EXPECT_EQ(MatchExpression("a\" OR \"b"), "\"OR\"");
  EXPECT_TRUE(Search("title:井盖").empty());    // the phrase "title 井盖" does not occur
  EXPECT_TRUE(Search("井盖 OR 噪音").empty());  // three ANDed terms; no row holds the word "or"
  EXPECT_EQ(Search("井盖*"), Search("井盖"));
}

}  // namespace
}  // namespace civicgrid::store
