// HTTP messages as plain values, so handlers never see Beast (only server.cc does).
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace civicgrid::http {

struct Request {
  std::string method;                                          // "GET", "POST", …
  std::string path;                                            // percent-decoded path, without the query
  std::map<std::string, std::string> query;                    // decoded; the last value wins
  std::vector<std::pair<std::string, std::string>> query_all;  // every pair, in order (repeated parameters)
  std::map<std::string, std::string> headers;                  // names in lower case
  std::string body;
  std::string remote;                         // peer address
  std::map<std::string, std::string> params;  // filled by the router from {name} segments

  const std::string* Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
  const std::string* Query(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A finite number from the query string: absent → nullopt (an error when required); not a number → error.
// (Declared here, defined in message.cc; the error is the caller's to turn into a problem document.)
bool QueryNumberValue(const Request& req, const char* key, std::optional<double>& out, std::string& error);

// Splits "a=1&b=%E4%BA%95" into decoded pairs; false on a malformed escape. `all`, if given, gets every pair.
bool ParseQueryString(const std::string& text, std::map<std::string, std::string>& out,
                      std::vector<std::pair<std::string, std::string>>* all = nullptr);

// A route's query parameters against the set it knows, so that no filter is ever silently ignored: an
// unknown parameter, or a second value of one that takes a single value, is 400 naming it. A name ending in
// '*' may repeat (status*, category*, org*).
Status CheckQuery(const Request& req, std::initializer_list<std::string_view> known);

// Every value of a parameter, in order.
std::vector<std::string> QueryValues(const Request& req, const std::string& name);
bool PercentDecode(const std::string& in, std::string& out, bool plus_is_space);

}  // namespace civicgrid::http
