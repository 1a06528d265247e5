#include "calendar/lunar.h"

#include <array>
#include <cmath>
#include <map>
#include <numbers>

#include "common/mutex.h"

namespace civicgrid::calendar::lunar {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kJ2000 = 2451545.0;
constexpr double kUnixEpochJd = 2440587.5;  // 1970-01-01 00:00 UT
constexpr double kTropicalYear = 365.2422;
constexpr double kSynodicMonth = 29.530588861;

double SinD(double degrees) { return std::sin(degrees * kDeg); }

struct Term {
  double a, b, c;  // a·cos(b + c·τ)
};

// The Earth's heliocentric longitude and radius vector: VSOP87 as truncated in Meeus' appendix III (units of
// 1e-8 rad and 1e-8 AU). Enough for the sun's longitude to about 1″, i.e. a solar term to about half a minute.
constexpr Term kL0[] = {
    {175347046, 0, 0},           {3341656, 4.6692568, 6283.07585},
    {34894, 4.6261, 12566.1517}, {3497, 2.7441, 5753.3849},
    {3418, 2.8289, 3.5231},      {3136, 3.6277, 77713.7715},
    {2676, 4.4181, 7860.4194},   {2343, 6.1352, 3930.2097},
    {1324, 0.7425, 11506.7698},  {1273, 2.0371, 529.691},
    {1199, 1.1096, 1577.3435},   {990, 5.233, 5884.927},
    {902, 2.045, 26.298},        {857, 3.508, 398.149},
    {780, 1.179, 5223.694},      {753, 2.533, 5507.553},
    {505, 4.583, 18849.228},     {492, 4.205, 775.523},
    {357, 2.92, 0.067},          {317, 5.849, 11790.629},
    {284, 1.899, 796.298},       {271, 0.315, 10977.079},
    {243, 0.345, 5486.778},      {206, 4.806, 2544.314},
    {205, 1.869, 5573.143},      {202, 2.458, 6069.777},
    {156, 0.833, 213.299},       {132, 3.411, 2942.463},
    {126, 1.083, 20.775},        {115, 0.645, 0.98},
    {103, 0.636, 4694.003},      {102, 0.976, 15720.839},
    {102, 4.267, 7.114},         {99, 6.21, 2146.17},
    {98, 0.68, 155.42},          {86, 5.98, 161000.69},
    {85, 1.3, 6275.96},          {85, 3.67, 71430.7},
    {80, 1.81, 17260.15},        {79, 3.04, 12036.46},
    {75, 1.76, 5088.63},         {74, 3.5, 3154.69},
    {74, 4.68, 801.82},          {70, 0.83, 9437.76},
    {62, 3.98, 8827.39},         {61, 1.82, 7084.9},
    {57, 2.78, 6286.6},          {56, 4.39, 14143.5},
    {56, 3.47, 6279.55},         {52, 0.19, 12139.55},
    {52, 1.33, 1748.02},         {51, 0.28, 5856.48},
    {49, 0.49, 1194.45},         {41, 5.37, 8429.24},
    {41, 2.4, 19651.05},         {39, 6.17, 10447.39},
    {37, 6.04, 10213.29},        {37, 2.57, 1059.38},
    {36, 1.71, 2352.87},         {36, 1.78, 6812.77},
    {33, 0.59, 17789.85},        {30, 0.44, 83996.85},
    {30, 2.74, 1349.87},         {25, 3.16, 4690.48},
};
constexpr Term kL1[] = {
    {628331966747, 0, 0},       {206059, 2.678235, 6283.07585},
    {4303, 2.6351, 12566.1517}, {425, 1.59, 3.523},
    {119, 5.796, 26.298},       {109, 2.966, 1577.344},
    {93, 2.59, 18849.23},       {72, 1.14, 529.69},
    {68, 1.87, 398.15},         {67, 4.41, 5507.55},
    {59, 2.89, 5223.69},        {56, 2.17, 155.42},
    {45, 0.4, 796.3},           {36, 0.47, 775.52},
    {29, 2.65, 7.11},           {21, 5.34, 0.98},
    {19, 1.85, 5486.78},        {19, 4.97, 213.3},
    {17, 2.99, 6275.96},        {16, 0.03, 2544.31},
    {16, 1.43, 2146.17},        {15, 1.21, 10977.08},
    {12, 2.83, 1748.02},        {12, 3.26, 5088.63},
    {12, 5.27, 1194.45},        {12, 2.08, 4694},
    {11, 0.77, 553.57},         {10, 1.3, 6286.6},
    {10, 4.24, 1349.87},        {9, 2.7, 242.73},
    {9, 5.64, 951.72},          {8, 5.3, 2352.87},
    {6, 2.65, 9437.76},         {6, 4.67, 4690.48},
};
constexpr Term kL2[] = {
    {52919, 0, 0},      {8720, 1.0721, 6283.0758}, {309, 0.867, 12566.152}, {27, 0.05, 3.52},   {16, 5.19, 26.3},
    {16, 3.68, 155.42}, {10, 0.76, 18849.23},      {9, 2.06, 77713.77},     {7, 0.83, 775.52},  {5, 4.66, 1577.34},
    {4, 1.03, 7.11},    {4, 3.44, 5573.14},        {3, 5.14, 796.3},        {3, 6.05, 5507.55}, {3, 1.19, 242.73},
    {3, 6.12, 529.69},  {3, 0.31, 398.15},         {3, 2.28, 553.57},       {2, 4.38, 5223.69}, {2, 3.75, 0.98},
};
constexpr Term kL3[] = {
    {289, 5.844, 6283.076}, {35, 0, 0},         {17, 5.49, 12566.15}, {3, 5.2, 155.42},
    {1, 4.72, 3.52},        {1, 5.3, 18849.23}, {1, 5.97, 242.73},
};
constexpr Term kL4[] = {{114, 3.142, 0}, {8, 4.13, 6283.08}, {1, 3.84, 12566.15}};
constexpr Term kL5[] = {{1, 3.14, 0}};
constexpr Term kR0[] = {
    {100013989, 0, 0},
    {1670700, 3.0984635, 6283.07585},
    {13956, 3.05525, 12566.1517},
    {3084, 5.1985, 77713.7715},
    {1628, 1.1739, 5753.3849},
    {1576, 2.8469, 7860.4194},
    {925, 5.453, 11506.77},
    {542, 4.564, 3930.21},
    {472, 3.661, 5884.927},
    {346, 0.964, 5507.553},
    {329, 5.9, 5223.694},
    {307, 0.299, 5573.143},
    {243, 4.273, 11790.629},
    {212, 5.847, 1577.344},
    {186, 5.022, 10977.079},
    {175, 3.012, 18849.228},
    {110, 5.055, 5486.778},
    {98, 0.89, 6069.78},
    {86, 5.69, 15720.84},
    {86, 1.27, 161000.69},
    {65, 0.27, 17260.15},
    {63, 0.92, 529.69},
    {57, 2.01, 83996.85},
    {56, 5.24, 71430.7},
    {49, 3.25, 2544.31},
    {47, 2.58, 775.52},
    {45, 5.54, 9437.76},
    {43, 6.01, 6275.96},
    {39, 5.36, 4694},
    {38, 2.39, 8827.39},
    {37, 0.83, 19651.05},
    {37, 4.9, 12139.55},
    {36, 1.67, 12036.46},
    {35, 1.84, 2942.46},
    {33, 0.24, 7084.9},
    {32, 0.18, 5088.63},
    {32, 1.78, 398.15},
    {28, 1.21, 6286.6},
    {28, 1.9, 6279.55},
    {26, 4.59, 10447.39},
};
constexpr Term kR1[] = {
    {103019, 1.10749, 6283.07585},
    {1721, 1.0644, 12566.1517},
    {702, 3.142, 0},
    {32, 1.02, 18849.23},
    {31, 2.84, 5507.55},
    {25, 1.32, 5223.69},
    {18, 1.42, 1577.34},
    {10, 5.91, 10977.08},
    {9, 1.42, 6275.96},
    {9, 0.27, 5486.78},
};
constexpr Term kR2[] = {{4359, 5.7846, 6283.0758}, {124, 5.579, 12566.152}, {12, 3.14, 0},
                        {9, 3.63, 77713.77},       {6, 1.87, 5573.14},      {3, 5.47, 18849}};
constexpr Term kR3[] = {{145, 4.273, 6283.076}, {7, 3.92, 12566.15}};
constexpr Term kR4[] = {{4, 2.56, 6283.08}};

template <size_t N>
double Sum(const Term (&terms)[N], double tau) {
  double s = 0;
  for (const auto& t : terms) s += t.a * std::cos(t.b + t.c * tau);
  return s;
}

double Normalize(double degrees) {
  double d = std::fmod(degrees, 360.0);
  return d < 0 ? d + 360.0 : d;
}

// Julian Day (UT) of 00:00 UT on a civil date, and back.
double JulianDay(Date d) { return kUnixEpochJd + static_cast<double>(d.time_since_epoch().count()); }

double YearOf(double jd) { return 2000.0 + (jd - kJ2000) / 365.25; }

// The new moon number k whose Beijing date is on or before `d` and whose successor's is after it.
int NewMoonOnOrBefore(Date d) {
  int k = static_cast<int>(std::floor((JulianDay(d) - 2451550.09766) / kSynodicMonth));
  while (BeijingDate(NewMoonJde(k + 1)) <= d) ++k;
  while (BeijingDate(NewMoonJde(k)) > d) --k;
  return k;
}

std::vector<Month> ComputeSui(int year) {
  const Date solstice = BeijingDate(SolarTermJde(year - 1, 270));
  const Date next_solstice = BeijingDate(SolarTermJde(year, 270));
  const int first = NewMoonOnOrBefore(solstice);
  const int end = NewMoonOnOrBefore(next_solstice);  // the next sui's 11th month
  std::vector<Date> starts;
  for (int k = first; k <= end; ++k) starts.push_back(BeijingDate(NewMoonJde(k)));
  const int count = end - first;  // 12, or 13 with a leap month
  int leap = -1;
  if (count == 13) {
    // The principal terms (中气) of the sui: the sun at 300°, 330°, 0°, …, 240°, each in Gregorian `year`.
    std::vector<Date> principal;
    for (int i = 1; i < 12; ++i) principal.push_back(BeijingDate(SolarTermJde(year, Normalize(270.0 + 30.0 * i))));
    for (int m = 1; m < count && leap < 0; ++m) {
      bool has_term = false;
      for (const Date& p : principal) has_term = has_term || (starts[m] <= p && p < starts[m + 1]);
      if (!has_term) leap = m;
    }
  }
  std::vector<Month> months;
  int number = 10;  // the first month is the 11th
  for (int m = 0; m < count; ++m) {
    Month month;
    if (m == leap) {
      month.leap = true;
    } else {
      number = number % 12 + 1;
    }
    month.number = number;
    month.first = starts[m];
    month.days = static_cast<int>((starts[m + 1] - starts[m]).count());
    months.push_back(month);
  }
  return months;
}

}  // namespace

double DeltaTSeconds(double y) {
  // Espenak & Meeus, "Five Millennium Canon of Solar Eclipses" (NASA/TP-2006-214141), the polynomials for 1900
  // on. Past the present they extrapolate: seconds of error matter only for a new moon within a minute or
  // two of Beijing midnight.
  const double u = (y - 1820.0) / 100.0;
  if (y < 1900 || y >= 2150) return -20.0 + 32.0 * u * u;
  if (y < 1920) {
    const double t = y - 1900;
    return -2.79 + 1.494119 * t - 0.0598939 * t * t + 0.0061966 * t * t * t - 0.000197 * t * t * t * t;
  }
  if (y < 1941) {
    const double t = y - 1920;
    return 21.20 + 0.84493 * t - 0.076100 * t * t + 0.0020936 * t * t * t;
  }
  if (y < 1961) {
    const double t = y - 1950;
    return 29.07 + 0.407 * t - t * t / 233.0 + t * t * t / 2547.0;
  }
  if (y < 1986) {
    const double t = y - 1975;
    return 45.45 + 1.067 * t - t * t / 260.0 - t * t * t / 718.0;
  }
  if (y < 2005) {
    const double t = y - 2000;
    return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * std::pow(t, 3) + 0.000651814 * std::pow(t, 4) +
           0.00002373599 * std::pow(t, 5);
  }
  if (y < 2050) {
    const double t = y - 2000;
    return 62.92 + 0.32217 * t + 0.005589 * t * t;
  }
  return -20.0 + 32.0 * u * u - 0.5628 * (2150.0 - y);
}

double NewMoonJde(int k_int) {
  // Meeus ch. 49: the mean new moon, then the periodic terms of the new moon and the 14 planetary arguments.
  const double k = k_int;
  const double t = k / 1236.85;
  const double t2 = t * t, t3 = t2 * t, t4 = t3 * t;
  double jde = 2451550.09766 + kSynodicMonth * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4;
  const double e = 1.0 - 0.002516 * t - 0.0000074 * t2;
  const double m = 2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3;
  const double mp = 201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4;
  const double f = 160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4;
  const double om = 124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3;
  jde += -0.40720 * SinD(mp) + 0.17241 * e * SinD(m) + 0.01608 * SinD(2 * mp) + 0.01039 * SinD(2 * f) +
         0.00739 * e * SinD(mp - m) - 0.00514 * e * SinD(mp + m) + 0.00208 * e * e * SinD(2 * m) -
         0.00111 * SinD(mp - 2 * f) - 0.00057 * SinD(mp + 2 * f) + 0.00056 * e * SinD(2 * mp + m) -
         0.00042 * SinD(3 * mp) + 0.00042 * e * SinD(m + 2 * f) + 0.00038 * e * SinD(m - 2 * f) -
         0.00024 * e * SinD(2 * mp - m) - 0.00017 * SinD(om) - 0.00007 * SinD(mp + 2 * m) +
         0.00004 * SinD(2 * mp - 2 * f) + 0.00004 * SinD(3 * m) + 0.00003 * SinD(mp + m - 2 * f) +
         0.00003 * SinD(2 * mp + 2 * f) - 0.00003 * SinD(mp + m + 2 * f) + 0.00003 * SinD(mp - m + 2 * f) -
         0.00002 * SinD(mp - m - 2 * f) - 0.00002 * SinD(3 * mp + m) + 0.00002 * SinD(4 * mp);
  static constexpr std::array<std::array<double, 3>, 14> kPlanetary = {{
      {0.000325, 299.77, 0.107408},
      {0.000165, 251.88, 0.016321},
      {0.000164, 251.83, 26.651886},
      {0.000126, 349.42, 36.412478},
      {0.000110, 84.66, 18.206239},
      {0.000062, 141.74, 53.303771},
      {0.000060, 207.14, 2.453732},
      {0.000056, 154.84, 7.306860},
      {0.000047, 34.52, 27.261239},
      {0.000042, 207.19, 0.121824},
      {0.000040, 291.34, 1.844379},
      {0.000037, 161.72, 24.198154},
      {0.000035, 239.56, 25.513099},
      {0.000023, 331.55, 3.592518},
  }};
  for (size_t i = 0; i < kPlanetary.size(); ++i) {
    double arg = kPlanetary[i][1] + kPlanetary[i][2] * k;
    if (i == 0) arg -= 0.009173 * t2;
    jde += kPlanetary[i][0] * SinD(arg);
  }
  return jde;
}

double SunApparentLongitude(double jde) {
  const double tau = (jde - kJ2000) / 365250.0;  // Julian millennia of TT from J2000.0
  const double t = tau * 10.0;                   // centuries
  const double l =
      (Sum(kL0, tau) +
       tau * (Sum(kL1, tau) +
              tau * (Sum(kL2, tau) + tau * (Sum(kL3, tau) + tau * (Sum(kL4, tau) + tau * Sum(kL5, tau)))))) /
      1e8;
  const double r =
      (Sum(kR0, tau) + tau * (Sum(kR1, tau) + tau * (Sum(kR2, tau) + tau * (Sum(kR3, tau) + tau * Sum(kR4, tau))))) /
      1e8;
  const double geometric = l / kDeg + 180.0;  // the sun seen from the Earth, mean equinox of date (VSOP87D)
  // Nutation in longitude (Meeus ch. 22, to 0.5″) and aberration (20.4898″/R); −0.09033″ brings VSOP87 to FK5.
  const double omega = 125.04452 - 1934.136261 * t;
  const double sun_mean = 280.4665 + 36000.7698 * t;
  const double moon_mean = 218.3165 + 481267.8813 * t;
  const double nutation =
      -17.20 * SinD(omega) - 1.32 * SinD(2 * sun_mean) - 0.23 * SinD(2 * moon_mean) + 0.21 * SinD(2 * omega);
  const double arcsec = -0.09033 + nutation - 20.4898 / r;
  return Normalize(geometric + arcsec / 3600.0);
}

double SolarTermJde(int year, double degrees) {
  // The sun is near 280° on 1 January; solve λ(jde) = degrees by Newton's method on the mean motion.
  const Date jan1 = std::chrono::sys_days{std::chrono::year{year} / 1 / 1};
  double jde = JulianDay(jan1) + Normalize(degrees - 280.0) / 360.0 * kTropicalYear;
  for (int i = 0; i < 20; ++i) {
    const double diff = std::remainder(degrees - SunApparentLongitude(jde), 360.0);
    jde += diff / 360.0 * kTropicalYear;
    if (std::abs(diff) < 1e-8) break;
  }
  return jde;
}

Date BeijingDate(double jde) {
  const double jd_ut = jde - DeltaTSeconds(YearOf(jde)) / 86400.0;
  return Date{std::chrono::days{static_cast<int>(std::floor(jd_ut + 8.0 / 24.0 - kUnixEpochJd))}};
}

const std::vector<Month>& MonthsOfSui(int year) {
  static common::Mutex mu;
  static std::map<int, std::vector<Month>> cache GUARDED_BY(mu);
  common::MutexLock lock(mu);
  auto it = cache.find(year);
  if (it == cache.end()) it = cache.emplace(year, ComputeSui(year)).first;
  return it->second;  // map nodes never move, and an entry never changes once made
}

Date SolarDate(int year, int month, int day) {
  for (const auto& m : MonthsOfSui(year))
    if (m.number == month && !m.leap) return m.first + std::chrono::days{day - 1};
  return Date{};  // unreachable: every sui has each ordinary month once
}

Date NewYear(int year) { return SolarDate(year, 1, 1); }

Date NewYearsEve(int year) { return NewYear(year) - std::chrono::days{1}; }

Date Qingming(int year) { return BeijingDate(SolarTermJde(year, 15)); }

}  // namespace civicgrid::calendar::lunar
