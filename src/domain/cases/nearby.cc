#include "domain/cases/nearby.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <set>

#include "domain/cases/lifecycle.h"
#include "geo/crs.h"

namespace civicgrid::cases {
namespace {

constexpr double kCellDeg = 0.002;  // ≈ 220 m of latitude; longitude cells are narrower, which is harmless

std::int64_t CellOf(std::int64_t y, std::int64_t x) { return (y << 32) ^ (x & 0xffffffff); }

// Decodes UTF-8 into code points (invalid bytes become spaces).
std::vector<char32_t> CodePoints(const std::string& s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + size_t(n) > s.size()) {
      out.push_back(U' ');
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + size_t(k)]) & 0x3f);
    out.push_back(cp);
    i += size_t(n);
  }
  return out;
}

bool IsHan(char32_t c) { return (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff); }

std::set<std::u32string> Shingles(const std::string& text) {
  std::set<std::u32string> out;
  const auto cps = CodePoints(text);
  std::u32string word;
  for (size_t i = 0; i <= cps.size(); ++i) {
    const char32_t c = i < cps.size() ? cps[i] : U' ';
    if (c < 0x80 && std::isalnum(static_cast<int>(c))) {
      word += char32_t(std::tolower(static_cast<int>(c)));
      continue;
    }
    if (word.size() >= 2) out.insert(word);
    word.clear();
    if (IsHan(c) && i + 1 < cps.size() && IsHan(cps[i + 1])) out.insert(std::u32string{c, cps[i + 1]});
  }
  return out;
}

}  // namespace

std::int64_t OpenCaseIndex::Cell(double lat, double lon) {
  return CellOf(std::int64_t(std::floor(lat / kCellDeg)), std::int64_t(std::floor(lon / kCellDeg)));
}

void OpenCaseIndex::Apply(const cases::Case*, const cases::Case& after) {
  common::WriterLock lock(mu_);
  auto it = where_.find(after.id);
  if (it != where_.end()) {
    if (it->second.second >= after.version) return;  // an older change arriving late
    auto& bucket = cells_[it->second.first];
    std::erase_if(bucket, [&](const Entry& e) { return e.id == after.id; });
    if (bucket.empty()) cells_.erase(it->second.first);
    where_.erase(it);
  }
  const bool open = IsHandling(after.status);
  // The service publishes the changes of one case in order (CaseService: per-case locks), so a case that
  // leaves the index needs no tombstone.
  if (!open || !after.origin.location) return;
  const auto& p = *after.origin.location;
  const auto cell = Cell(p.lat, p.lon);
  cells_[cell].push_back({after.id, after.version, p.lat, p.lon, after.created_at, after.origin.category});
  where_[after.id] = {cell, after.version};
}

void OpenCaseIndex::Load(cases::CaseId id, std::int64_t version, cases::GeoPoint p, TimePoint created_at,
                         const std::string& category) {
  common::WriterLock lock(mu_);
  if (where_.count(id)) return;
  const auto cell = Cell(p.lat, p.lon);
  cells_[cell].push_back({id, version, p.lat, p.lon, created_at, category});
  where_[id] = {cell, version};
}

std::vector<NearbyHit> OpenCaseIndex::Near(cases::GeoPoint at, double radius_m, const std::string& category,
                                           TimePoint since, size_t limit) const {
  std::vector<NearbyHit> hits;
  const double dlat = radius_m / 111320.0;
  const double dlon = radius_m / (111320.0 * std::max(0.01, std::cos(at.lat * M_PI / 180)));
  const auto y0 = std::int64_t(std::floor((at.lat - dlat) / kCellDeg)),
             y1 = std::int64_t(std::floor((at.lat + dlat) / kCellDeg));
  const auto x0 = std::int64_t(std::floor((at.lon - dlon) / kCellDeg)),
             x1 = std::int64_t(std::floor((at.lon + dlon) / kCellDeg));
  if ((y1 - y0 + 1) * (x1 - x0 + 1) > 4096) return hits;  // callers bound the radius; this bounds the work
  common::ReaderLock lock(mu_);
  for (auto y = y0; y <= y1; ++y)
    for (auto x = x0; x <= x1; ++x) {
      auto it = cells_.find(CellOf(y, x));
      if (it == cells_.end()) continue;
      for (const auto& e : it->second) {
        if (e.created_at < since || !e.category.starts_with(category)) continue;
        const double m = geo::DistanceMeters({at.lon, at.lat}, {e.lon, e.lat});
        if (m <= radius_m) hits.push_back({e.id, m});
      }
    }
  std::sort(hits.begin(), hits.end(), [](const NearbyHit& a, const NearbyHit& b) {
    return a.meters != b.meters ? a.meters < b.meters : a.id < b.id;
  });
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

size_t OpenCaseIndex::size() const {
  common::ReaderLock lock(mu_);
  size_t n = 0;
  for (const auto& [cell, bucket] : cells_) n += bucket.size();
  return n;
}

double TextSimilarity(const std::string& a, const std::string& b) {
  const auto sa = Shingles(a), sb = Shingles(b);
  if (sa.empty() || sb.empty()) return 0;
  size_t common = 0;
  for (const auto& x : sa) common += sb.count(x);
  return 2.0 * double(common) / double(sa.size() + sb.size());
}

}  // namespace civicgrid::cases
