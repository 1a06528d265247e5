// A latency histogram for /metrics (Prometheus text format): fixed bucket bounds, lock-free observation from
// any thread. Cumulative buckets are formed when rendered, so observing is one relaxed increment.
#pragma once

#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>

namespace civicgrid {

class Histogram {
 public:
  // Upper bounds in seconds, from a fast commit (fsync alone is ~0.2 ms) to a stall worth a page.
  static constexpr std::array<double, 14> kBounds = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                                     0.1,    0.2,   0.5,   1,     2,    5,    10};

  void Observe(double seconds) {
    size_t k = 0;
    while (k < kBounds.size() && seconds > kBounds[k]) ++k;
    counts_[k].fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(static_cast<std::uint64_t>(std::llround(seconds * 1e6)), std::memory_order_relaxed);
  }

  // The _bucket, _sum and _count lines of one series; `labels` is "" or `key="value",…` without braces.
  std::string Render(const std::string& name, const std::string& labels) const {
    const std::string sep = labels.empty() ? "" : ",";
    std::string out;
    std::uint64_t running = 0;
    for (size_t k = 0; k <= kBounds.size(); ++k) {
      running += counts_[k].load(std::memory_order_relaxed);
      const std::string le = k < kBounds.size() ? Number(kBounds[k]) : "+Inf";
      out += name + "_bucket{" + labels + sep + "le=\"" + le + "\"} " + std::to_string(running) + "\n";
    }
    const std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out += name + "_sum" + braces + " " + Number(double(sum_micros_.load(std::memory_order_relaxed)) / 1e6) + "\n";
    out += name + "_count" + braces + " " + std::to_string(running) + "\n";
    return out;
  }

  std::uint64_t count() const {
    std::uint64_t n = 0;
    for (const auto& c : counts_) n += c.load(std::memory_order_relaxed);
    return n;
  }

 private:
  static std::string Number(double v) {
    std::string s = std::to_string(v);  // "0.000500"
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  }

  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_micros_{0};
};

}  // namespace civicgrid
