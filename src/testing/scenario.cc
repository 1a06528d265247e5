#include "testing/scenario.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <iostream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

namespace civicgrid::testing {
namespace {

using nlohmann::json;

const std::set<std::string, std::less<>> kVerbs = {"as",   "get",     "post", "delete",  "header", "let",
                                                   "case", "advance", "set",  "restart", "show",   "expect"};
const std::set<std::string, std::less<>> kExpectations = {"status", "field",  "no",    "error-field",
                                                          "event",  "events", "header"};
const std::set<std::string, std::less<>> kOperators = {"=", "!=", "<", "<=", ">", ">=", "contains", "lacks"};

std::string_view Trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Splits off the first white-space-separated word.
std::pair<std::string, std::string> FirstWord(std::string_view s) {
  s = Trim(s);
  const auto sp = s.find_first_of(" \t");
  if (sp == std::string_view::npos) return {std::string(s), ""};
  return {std::string(s.substr(0, sp)), std::string(Trim(s.substr(sp)))};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string Shorten(std::string s, size_t max = 400) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return s.substr(0, cut) + "…";
}

std::string Show(const json& j) { return Shorten(j.dump(-1, ' ', false, json::error_handler_t::replace)); }

bool IsIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// RFC 3339, seconds optional ("2026-12-07T09:00+08:00").
std::optional<TimePoint> ParseClockTime(const std::string& text) {
  if (auto t = ParseTime(text)) return t;
  if (text.size() > 16 && text[10] == 'T' && text[13] == ':' && text[16] != ':')
    return ParseTime(text.substr(0, 16) + ":00" + text.substr(16));
  return std::nullopt;
}

// A JSON path: dot-separated keys and array indexes (negative from the end), `length` of an array, object
// or string, `*` for every element of an array. "." is the whole value.
std::optional<json> Lookup(const json& root, std::string_view path) {
  if (path.empty() || path == ".") return root;
  const auto dot = path.find('.');
  const std::string_view seg = path.substr(0, dot);
  const std::string_view rest = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  if (root.is_array()) {
    if (seg == "*") {
      json out = json::array();
      for (const auto& e : root)
        if (auto v = Lookup(e, rest)) out.push_back(std::move(*v));
      return out;
    }
    if (seg == "length") return rest.empty() ? std::optional<json>(root.size()) : std::nullopt;
    long long i = 0;
    auto [p, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), i);
    if (ec != std::errc() || p != seg.data() + seg.size()) return std::nullopt;
    if (i < 0) i += static_cast<long long>(root.size());
    if (i < 0 || i >= static_cast<long long>(root.size())) return std::nullopt;
    return Lookup(root[static_cast<size_t>(i)], rest);
  }
  if (root.is_object()) {
    if (auto it = root.find(std::string(seg)); it != root.end()) return Lookup(*it, rest);
    if (seg == "length" && rest.empty()) return root.size();
    return std::nullopt;
  }
  if (root.is_string() && seg == "length" && rest.empty()) {
    size_t n = 0;
    for (unsigned char c : root.get_ref<const std::string&>()) n += (c & 0xC0) != 0x80;
    return n;
  }
  return std::nullopt;
}

// An expected value as written: JSON when it parses as JSON, else the text itself. A bare (unquoted) value
// against a text field compares as text, so codes like 320923 and 06001 need no quotes.
struct Expected {  // NOLINT(bugprone-exception-escape): json's members, in a test tool
  json value;
  std::string text;
  bool bare = true;
};

Expected ParseExpected(const std::string& text) {
  Expected e;
  e.text = text;
  e.bare = text.empty() || text[0] != '"';
  e.value = json::accept(text) ? json::parse(text) : json(text);
  return e;
}

bool Equal(const json& actual, const Expected& e) {
  if (actual.is_string() && e.bare && !e.value.is_string()) return actual.get_ref<const std::string&>() == e.text;
  return actual == e.value;
}

// Nullopt when the comparison holds, else why not.
std::optional<std::string> Compare(const json& actual, const std::string& op, const Expected& e) {
  bool holds = false;
  if (op == "=" || op == "!=") {
    holds = Equal(actual, e) == (op == "=");
  } else if (op == "contains" || op == "lacks") {
    bool found = false;
    if (actual.is_array()) {
      found = std::any_of(actual.begin(), actual.end(), [&](const json& x) { return Equal(x, e); });
    } else if (actual.is_string()) {
      const std::string needle = e.value.is_string() ? e.value.get<std::string>() : e.text;
      found = actual.get_ref<const std::string&>().find(needle) != std::string::npos;
    } else if (actual.is_object()) {
      found = actual.contains(e.value.is_string() ? e.value.get<std::string>() : e.text);
    } else {
      return "cannot look inside " + Show(actual);
    }
    holds = found == (op == "contains");
  } else {
    json want = e.value;
    if (actual.is_string() && !want.is_string()) want = e.text;
    int order = 0;
    if (actual.is_number() && want.is_number()) {
      const double a = actual.get<double>(), b = want.get<double>();
      order = a < b ? -1 : a > b ? 1 : 0;
    } else if (actual.is_string() && want.is_string()) {
      order = actual.get_ref<const std::string&>().compare(want.get_ref<const std::string&>());
      order = order < 0 ? -1 : order > 0 ? 1 : 0;
    } else {
      return "cannot order " + Show(actual) + " against " + Show(want);
    }
    holds = op == "<" ? order < 0 : op == "<=" ? order <= 0 : op == ">" ? order > 0 : order >= 0;
  }
  if (holds) return std::nullopt;
  return "expected " + op + " " + (e.bare ? e.text : Show(e.value)) + ", got " + Show(actual);
}

struct Condition {
  std::string path, op;
  Expected expected;
};

// "PATH OP VALUE" (VALUE may hold spaces).
Result<Condition> ParseCondition(const std::string& text) {
  auto [path, rest] = FirstWord(text);
  auto [op, value] = FirstWord(rest);
  if (path.empty() || !kOperators.count(op))
    return Invalid("condition",
                   "expected PATH OP VALUE with OP one of = != < <= > >= contains lacks, got '" + text + "'");
  return Condition{path, op, ParseExpected(value)};
}

bool IsRequest(const Step& s) { return s.verb == "get" || s.verb == "post" || s.verb == "delete"; }

class Interpreter {
 public:
  explicit Interpreter(Product& product) : product_(product) {}

  // Plays steps[i]; the failure's message when it fails.
  std::optional<std::string> Play(const std::vector<Step>& steps, size_t i);
  std::string Context() const {
    if (!reply_) return "";
    return "last reply (" + last_request_ + "): " + std::to_string(reply_->status) + " " + Shorten(reply_->body);
  }

 private:
  Result<std::string> Expand(std::string_view text) const;
  std::optional<std::string> Request(const std::vector<Step>& steps, size_t i, const std::string& text);
  std::optional<std::string> Expect(const std::string& text);
  Result<json> Events();
  std::optional<std::string> SetVariable(const std::string& text);

  Product& product_;
  std::string caller_ = "admin";
  std::map<std::string, std::string> vars_;
  std::vector<std::pair<std::string, std::string>> next_headers_;
  std::optional<std::int64_t> case_;
  std::optional<http::Response> reply_;
  json body_;  // the reply's body: parsed JSON, or its text as a JSON string
  std::string last_request_;
};

Result<std::string> Interpreter::Expand(std::string_view text) const {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    std::string name;
    if (i + 1 < text.size() && text[i + 1] == '{') {
      const auto close = text.find('}', i + 2);
      if (close == std::string_view::npos) return Invalid("variable", "unclosed ${");
      name = std::string(Trim(text.substr(i + 2, close - i - 2)));
      i = close;
    } else {
      size_t j = i + 1;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
      name = std::string(text.substr(i + 1, j - i - 1));
      i = j - 1;
    }
    if (name == "case") {
      if (!case_) return Invalid("variable", "$case: no case yet (take one in, or name one with `case`)");
      out += std::to_string(*case_);
    } else if (name == "now" || name.starts_with("now+") || name.starts_with("now-")) {
      TimePoint t = product_.Now();
      if (name.size() > 3) {
        const auto d = ParseDuration(name.substr(4));
        if (!d) return Invalid("variable", "expected ${now+DURATION}, got ${" + name + "}");
        t = name[3] == '+' ? t + *d : t - *d;
      }
      out += FormatTime(t);
    } else if (auto it = vars_.find(name); it != vars_.end()) {
      out += it->second;
    } else {
      return Invalid("variable", "unknown variable $" + name);
    }
  }
  return out;
}

std::optional<std::string> Interpreter::SetVariable(const std::string& text) {
  const auto eq = text.find('=');
  const std::string name(Trim(std::string_view(text).substr(0, eq)));
  if (eq == std::string::npos || !IsIdentifier(name)) return "expected `let NAME = VALUE or PATH`";
  if (name == "case" || name == "now") return "$" + name + " is built in; pick another name";
  auto expr = Expand(Trim(std::string_view(text).substr(eq + 1)));
  if (!expr.ok()) return expr.error().message;
  json value;
  if (json::accept(*expr)) {
    value = json::parse(*expr);
  } else {
    if (!reply_) return "no reply to take " + *expr + " from";
    auto found = Lookup(body_, *expr);
    if (!found) return "no field " + *expr + " in the last reply";
    value = std::move(*found);
  }
  vars_[name] = value.is_string() ? value.get<std::string>() : value.dump();
  return std::nullopt;
}

std::optional<std::string> Interpreter::Request(const std::vector<Step>& steps, size_t i, const std::string& text) {
  auto [target, body] = FirstWord(text);
  if (target.empty() || target[0] != '/') return "expected `" + steps[i].verb + " /PATH [BODY]`";
  http::Request req;
  req.method = steps[i].verb == "get" ? "GET" : steps[i].verb == "post" ? "POST" : "DELETE";
  const auto q = target.find('?');
  if (!http::PercentDecode(target.substr(0, q), req.path, false)) return "malformed escape in " + target;
  if (q != std::string::npos && !http::ParseQueryString(target.substr(q + 1), req.query, &req.query_all))
    return "malformed query in " + target;
  if (caller_ != "nobody") {
    const std::string* token = product_.TokenOf(caller_);
    if (!token) return "no fixture user '" + caller_ + "'";
    req.headers["authorization"] = "Bearer " + *token;
  }
  if (!body.empty()) req.headers["content-type"] = "application/json";
  for (auto& [name, value] : next_headers_) req.headers[name] = value;
  next_headers_.clear();
  req.body = body;
  req.remote = "127.0.0.1";
  last_request_ = req.method + " " + target;
  reply_ = product_.Call(req);
  body_ = json::accept(reply_->body) ? json::parse(reply_->body) : json(reply_->body);
  // The case this is about: the one in the path, or the one just taken in.
  static constexpr std::string_view kCases = "/api/v1/cases/";
  if (req.path.starts_with(kCases)) {
    std::int64_t id = 0;
    const char* b = req.path.data() + kCases.size();
    const char* e = req.path.data() + req.path.size();
    if (auto [p, ec] = std::from_chars(b, e, id); ec == std::errc() && (p == e || *p == '/')) case_ = id;
  } else if (req.method == "POST" && req.path == "/api/v1/cases" && reply_->status / 100 == 2 && body_.is_object() &&
             body_.contains("id") && body_["id"].is_number_integer()) {
    case_ = body_["id"].get<std::int64_t>();
  }
  if (auto st = product_.Settle(); !st) return "after the request: " + st.error().message;
  // Without an `expect status` before the next request, the request must succeed.
  for (size_t j = i + 1; j < steps.size() && !IsRequest(steps[j]) && steps[j].verb != "restart"; ++j)
    if (steps[j].verb == "expect" && FirstWord(steps[j].text).first == "status") return std::nullopt;
  if (reply_->status / 100 != 2) {
    std::string detail = body_.is_object() && body_.contains("detail") ? Show(body_["detail"]) : Shorten(reply_->body);
    return last_request_ + " answered " + std::to_string(reply_->status) + ": " + detail +
           " (no `expect status` follows, so 2xx was expected)";
  }
  return std::nullopt;
}

Result<json> Interpreter::Events() {
  if (!case_) return Invalid("case", "no current case (take one in, or name one with `case`)");
  http::Request req;
  req.method = "GET";
  req.path = "/api/v1/cases/" + std::to_string(*case_) + "/events";
  req.remote = "127.0.0.1";
  // The audit trail as the admin sees it: what happened does not depend on who asks.
  const std::string* token = product_.TokenOf("admin");
  if (!token) return Invalid("admin", "the fixture has no admin");
  req.headers["authorization"] = "Bearer " + *token;
  const http::Response r = product_.Call(req);
  if (r.status != 200)
    return Invalid("events", "events of case " + std::to_string(*case_) + " answered " + std::to_string(r.status) +
                                 ": " + Shorten(r.body));
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("items")) return Invalid("events", "events reply without items");
  return j["items"];
}

std::optional<std::string> Interpreter::Expect(const std::string& text) {
  auto [kind, rest] = FirstWord(text);
  bool negate = false;
  if (kind == "no") {
    negate = true;
    std::tie(kind, rest) = FirstWord(rest);
    if (kind != "field" && kind != "event") return "expected `expect no field PATH` or `expect no event TYPE`";
  }
  if (kind == "event" || kind == "events") {
    auto events = Events();
    if (!events.ok()) return events.error().message;
    std::vector<std::string> types;
    for (const auto& e : *events) types.push_back(e.value("type", ""));
    const std::string seen = "case " + std::to_string(*case_) + " has " + json(types).dump();
    if (kind == "events") {
      std::vector<std::string> want;
      for (std::string r = rest; !r.empty();) {
        auto [w, more] = FirstWord(r);
        want.push_back(w);
        r = more;
      }
      if (want != types) return "expected events " + json(want).dump() + ", " + seen;
      return std::nullopt;
    }
    auto [type, cond_text] = FirstWord(rest);
    if (type.empty()) return "expected `expect event TYPE [PATH OP VALUE]`";
    std::optional<Condition> cond;
    if (!cond_text.empty()) {
      auto c = ParseCondition(cond_text);
      if (!c.ok()) return c.error().message;
      cond = std::move(c.value());
    }
    std::optional<std::string> why_not;
    bool found = false;
    for (const auto& e : *events) {
      if (e.value("type", "") != type) continue;
      if (!cond) {
        found = true;
        break;
      }
      auto v = Lookup(e, cond->path);
      if (!v) {
        why_not = "no " + cond->path + " in " + Show(e);
        continue;
      }
      if (auto diff = Compare(*v, cond->op, cond->expected); diff) why_not = cond->path + ": " + *diff;
      else {
        found = true;
        break;
      }
    }
    if (found == !negate) return std::nullopt;
    if (negate) return "expected no " + type + " event" + (cond ? " with " + cond_text : "") + ", " + seen;
    return "expected an event " + type + (cond ? " with " + cond_text : "") + ", " + seen +
           (why_not ? " (" + *why_not + ")" : "");
  }
  if (!reply_) return "no reply to check yet";
  if (kind == "status") {
    int want = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), want);
    if (ec != std::errc() || p != rest.data() + rest.size()) return "expected `expect status CODE`";
    if (reply_->status == want) return std::nullopt;
    const std::string detail = body_.is_object() && body_.contains("detail") ? ": " + Show(body_["detail"]) : "";
    return "expected status " + rest + ", got " + std::to_string(reply_->status) + detail;
  }
  if (kind == "error-field") {
    if (!reply_->content_type.starts_with("application/problem+json"))
      return "expected a problem document, got " + reply_->content_type;
    auto field = Lookup(body_, "field");
    if (!field) return "expected error field " + rest + ", the problem names no field: " + Show(body_);
    if (*field != json(rest)) return "expected error field " + rest + ", got " + Show(*field);
    return std::nullopt;
  }
  if (kind == "header") {
    const auto eq = rest.find('=');
    if (eq == std::string::npos) return "expected `expect header NAME = VALUE`";
    const std::string name = Lower(Trim(std::string_view(rest).substr(0, eq)));
    const std::string want(Trim(std::string_view(rest).substr(eq + 1)));
    const std::string* got = name == "content-type" ? &reply_->content_type : nullptr;
    for (const auto& [n, v] : reply_->headers)
      if (Lower(n) == name) got = &v;
    if (!got) return "no header " + name + " in the reply";
    if (*got != want) return "header " + name + ": expected " + want + ", got " + *got;
    return std::nullopt;
  }
  // field
  if (negate) {
    if (auto v = Lookup(body_, rest)) return "expected no field " + rest + ", got " + Show(*v);
    return std::nullopt;
  }
  auto cond = ParseCondition(rest);
  if (!cond.ok()) return cond.error().message;
  auto v = Lookup(body_, cond->path);
  if (!v) return "no field " + cond->path + " in the reply";
  if (auto diff = Compare(*v, cond->op, cond->expected)) return cond->path + ": " + *diff;
  return std::nullopt;
}

std::optional<std::string> Interpreter::Play(const std::vector<Step>& steps, size_t i) {
  const Step& step = steps[i];
  if (step.verb == "let") return SetVariable(step.text);
  auto text = Expand(step.text);
  if (!text.ok()) return text.error().message;
  if (step.verb == "as") {
    if (text->empty() || text->find(' ') != std::string::npos) return "expected `as LOGIN` (or `as nobody`)";
    if (*text != "nobody" && !product_.TokenOf(*text)) return "no fixture user '" + *text + "'";
    caller_ = *text;
    return std::nullopt;
  }
  if (IsRequest(step)) return Request(steps, i, *text);
  if (step.verb == "header") {
    const auto colon = text->find(':');
    if (colon == std::string::npos) return "expected `header NAME: VALUE`";
    next_headers_.emplace_back(Lower(Trim(std::string_view(*text).substr(0, colon))),
                               std::string(Trim(std::string_view(*text).substr(colon + 1))));
    return std::nullopt;
  }
  if (step.verb == "case") {
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), id);
    if (ec != std::errc() || p != text->data() + text->size()) return "expected `case ID`, got '" + *text + "'";
    case_ = id;
    return std::nullopt;
  }
  if (step.verb == "advance") {
    const auto d = ParseDuration(*text);
    if (!d) return "expected `advance DURATION` (90m, 3h, 2d, 1d2h), got '" + *text + "'";
    if (auto st = product_.SetClock(product_.Now() + *d); !st) return st.error().message;
    return std::nullopt;
  }
  if (step.verb == "set") {
    auto [what, when] = FirstWord(*text);
    const auto t = ParseClockTime(when);
    if (what != "clock" || !t) return "expected `set clock RFC3339-TIME`, got '" + *text + "'";
    if (auto st = product_.SetClock(*t); !st) return st.error().message;
    return std::nullopt;
  }
  if (step.verb == "restart") {
    // `restart after 3h`: the clock moves while the product is down, so start-up has to catch up.
    auto [after, when] = FirstWord(*text);
    const auto down = after.empty() ? std::optional<milliseconds>(0) : ParseDuration(when);
    if ((!after.empty() && after != "after") || !down) return "expected `restart` or `restart after DURATION`";
    reply_.reset();
    if (auto st = product_.Restart(*down); !st) return "restart: " + st.error().message;
    return std::nullopt;
  }
  if (step.verb == "show") {
    std::cout << "  line " << step.line << ": " << (reply_ ? Context() : "no reply yet") << "\n";
    return std::nullopt;
  }
  return Expect(*text);  // ParseScenario admits no other verb
}

}  // namespace

std::optional<milliseconds> ParseDuration(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  double total_ms = 0;
  while (!text.empty()) {
    double n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || p == text.data() + text.size() || !(n >= 0)) return std::nullopt;
    double unit = 0;
    switch (*p) {
      case 's': unit = 1e3; break;
      case 'm': unit = 60e3; break;
      case 'h': unit = 3600e3; break;
      case 'd': unit = 86400e3; break;
      default: return std::nullopt;
    }
    total_ms += n * unit;
    text.remove_prefix(static_cast<size_t>(p - text.data()) + 1);
  }
  return milliseconds{std::llround(total_ms)};
}

Result<std::vector<Step>> ParseScenario(std::string_view text) {
  std::vector<Step> steps;
  int line_no = 0;
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    const std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const std::string where = "line " + std::to_string(line_no);
    if (line[0] == ' ' || line[0] == '\t') {
      if (steps.empty()) return Invalid(where, where + ": an indented line continues a step, but none is above it");
      steps.back().text += " ";
      steps.back().text += trimmed;
      continue;
    }
    auto [verb, rest] = FirstWord(trimmed);
    if (!kVerbs.count(verb)) return Invalid(where, where + ": unknown step '" + verb + "'");
    if (verb == "expect") {
      const auto kind = FirstWord(rest).first;
      if (!kExpectations.count(kind))
        return Invalid(where, where + ": unknown expectation '" + kind +
                                  "' (status, field, no field, error-field, event, no event, events, header)");
    }
    steps.push_back({line_no, verb, rest});
  }
  return steps;
}

Outcome RunScenario(const std::vector<Step>& steps, Product& product, const RunOptions& options) {
  Interpreter interpreter(product);
  Outcome out;
  for (const auto* list : {&options.prelude, &steps}) {
    for (size_t i = 0; i < list->size(); ++i) {
      if (options.trace) options.trace((*list)[i]);
      auto failure = interpreter.Play(*list, i);
      ++out.steps;
      if (failure) {
        out.passed = false;
        out.line = (*list)[i].line;
        out.message = (list == &steps ? "" : "prelude line " + std::to_string(out.line) + ": ") + *failure;
        out.context = interpreter.Context();
        return out;
      }
    }
  }
  return out;
}

}  // namespace civicgrid::testing
