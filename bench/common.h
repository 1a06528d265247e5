// Small helpers shared by the benchmark tools: timing, percentiles, CPU accounting from /proc, and JSON
// output without a JSON library (the tools print flat objects of numbers and short ASCII strings).
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

inline double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// p in [0, 1]; nearest-rank on a sorted copy.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = size_t(p * double(v.size()));
  if (k >= v.size()) k = v.size() - 1;
  return v[k];
}

inline double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

// utime + stime of a process in seconds (0 when it cannot be read).
inline double ProcessCpuSeconds(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  double ticks = 0;
  // Fields after the command: state(3) … utime(14) stime(15).
  for (int i = 3; i <= 15 && (fields >> f); ++i)
    if (i == 14 || i == 15) ticks += std::stod(f);
  return ticks / double(sysconf(_SC_CLK_TCK));
}

inline double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Busy and total jiffies of the whole machine (all cores), from /proc/stat.
struct MachineCpu {
  double busy = 0, total = 0;
  static MachineCpu Read() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    in >> cpu;
    MachineCpu m;
    double v;
    for (int i = 0; i < 10 && (in >> v); ++i) {
      m.total += v;
      if (i != 3 && i != 4) m.busy += v;  // idle and iowait are not busy
    }
    return m;
  }
};

// A flat JSON object, in insertion order.
class Json {
 public:
  Json& Num(const std::string& key, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    items_.emplace_back(key, buf);
    return *this;
  }
  Json& Int(const std::string& key, long long v) {
    items_.emplace_back(key, std::to_string(v));
    return *this;
  }
  Json& Str(const std::string& key, const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      if (static_cast<unsigned char>(c) < 0x20) continue;
      out += c;
    }
    items_.emplace_back(key, out + "\"");
    return *this;
  }
  Json& Raw(const std::string& key, const std::string& json) {
    items_.emplace_back(key, json);
    return *this;
  }
  std::string Dump() const {
    std::string out = "{";
    for (size_t i = 0; i < items_.size(); ++i) out += (i ? ", \"" : "\"") + items_[i].first + "\": " + items_[i].second;
    return out + "}";
  }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// --key value arguments.
class Args {
 public:
  Args(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string k = argv[i];
      if (k.rfind("--", 0) != 0) {
        positional_.push_back(k);
        continue;
      }
      k = k.substr(2);
      if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) values_[k] = argv[++i];
      else values_[k] = "1";
    }
  }
  std::string Str(const std::string& k, const std::string& d = "") const {
    auto it = values_.find(k);
    return it == values_.end() ? d : it->second;
  }
  long long Int(const std::string& k, long long d) const {
    auto it = values_.find(k);
    return it == values_.end() ? d : std::stoll(it->second);
  }
  double Num(const std::string& k, double d) const {
    auto it = values_.find(k);
    return it == values_.end() ? d : std::stod(it->second);
  }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace bench
