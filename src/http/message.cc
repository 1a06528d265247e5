#include "http/message.h"

#include <charconv>
#include <cmath>

namespace civicgrid::http {

bool PercentDecode(const std::string& in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(char(hi * 16 + lo));
      i += 2;
    } else if (in[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return true;
}

bool ParseQueryString(const std::string& text, std::map<std::string, std::string>& out,
                      std::vector<std::pair<std::string, std::string>>* all) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t amp = text.find('&', start);
    if (amp == std::string::npos) amp = text.size();
    const std::string part = text.substr(start, amp - start);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      std::string key, value;
      if (!PercentDecode(part.substr(0, eq), key, true)) return false;
      if (eq != std::string::npos && !PercentDecode(part.substr(eq + 1), value, true)) return false;
      if (all) all->emplace_back(key, value);
      out[key] = std::move(value);
    }
    start = amp + 1;
  }
  return true;
}

Status CheckQuery(const Request& req, std::initializer_list<std::string_view> known) {
  std::map<std::string, int> seen;
  auto check = [&](const std::string& name) -> Status {
    bool repeatable = false, found = false;
    for (std::string_view k : known) {
      const bool star = !k.empty() && k.back() == '*';
      if (star) k.remove_suffix(1);
      if (k == name) {
        found = true;
        repeatable = star;
        break;
      }
    }
    if (!found) return BadRequest(name, "unknown query parameter '" + name + "'");
    if (++seen[name] > 1 && !repeatable) return BadRequest(name, "query parameter '" + name + "' takes one value");
    return OkStatus();
  };
  if (req.query_all.empty()) {
    for (const auto& [k, v] : req.query)
      if (auto st = check(k); !st) return st;
  }
  for (const auto& [k, v] : req.query_all)
    if (auto st = check(k); !st) return st;
  return OkStatus();
}

std::vector<std::string> QueryValues(const Request& req, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : req.query_all)
    if (k == name) out.push_back(v);
  // A request built without query_all (tests, internal calls) still has its map.
  if (out.empty() && req.query_all.empty())
    if (const auto* v = req.Query(name)) out.push_back(*v);
  return out;
}

bool QueryNumberValue(const Request& req, const char* key, std::optional<double>& out, std::string& error) {
  out.reset();
  const auto* v = req.Query(key);
  if (!v || v->empty()) return true;
  double d = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
  if (ec != std::errc() || p != v->data() + v->size() || !std::isfinite(d)) {
    error = std::string(key) + " must be a number";
    return false;
  }
  out = d;
  return true;
}

}  // namespace civicgrid::http
