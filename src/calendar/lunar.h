// The Chinese lunisolar calendar and the solar terms, computed astronomically (no table), for the statutory
// holidays of 《全国年节及纪念日放假办法》: new moons after Meeus, "Astronomical Algorithms" (2nd ed.) ch. 49 (mean
// lunation plus its periodic and planetary terms); the sun's apparent longitude after ch. 25 (the truncated
// VSOP87 Earth series of appendix III, FK5 correction, nutation in longitude from ch. 22, aberration); ΔT after
// Espenak & Meeus' polynomials. Dates are Beijing civil dates (UTC+8), as GB/T 33661-2017 《农历的编算和颁行》
// counts them: a month starts on the day of its new moon; the month holding the winter solstice is the 11th;
// in a sui (winter solstice to winter solstice) of 13 months the first month without a principal term (中气)
// is the leap month and repeats the number of the month before it.
// Pure functions; good (against the Hong Kong Observatory / Purple Mountain Observatory tables) for 1900–2100.
#pragma once

#include <chrono>
#include <vector>

namespace civicgrid::calendar::lunar {

using Date = std::chrono::sys_days;

// Julian Ephemeris Day (TT) of the k-th new moon, k = 0 being the new moon of 2000-01-06.
double NewMoonJde(int k);
// The sun's apparent geocentric longitude in degrees, [0, 360), at a Julian Ephemeris Day.
double SunApparentLongitude(double jde);
// TT − UT in seconds in a (fractional) Gregorian year.
double DeltaTSeconds(double year);
// The Julian Ephemeris Day in Gregorian `year` when the sun's apparent longitude reaches `degrees` (a multiple
// of 15 is a solar term: 0 春分, 15 清明, 90 夏至, 180 秋分, 270 冬至).
double SolarTermJde(int year, double degrees);
// The Beijing civil date (UTC+8) of an instant given as a Julian Ephemeris Day.
Date BeijingDate(double jde);

struct Month {
  int number = 0;  // 1 (正月) to 12
  bool leap = false;
  Date first;    // 初一
  int days = 0;  // 29 or 30
};

// The months from the 11th month of the sui that starts with the winter solstice of December `year − 1` up
// to (not including) the 11th month of the next sui: 11, 12, then 正月 to 10 of lunar year `year`, with a leap
// month where there is one (13 entries then). Cached per year: astronomy runs once per year and process.
const std::vector<Month>& MonthsOfSui(int year);
// 正月初一 of lunar year `year` (it falls in Gregorian `year`).
Date NewYear(int year);
// Day `day` (1–30) of the ordinary (not leap) month `month` (1–12) of lunar year `year`; 11 and 12 are those
// that start the lunar year's sui, i.e. the months before its 正月.
Date SolarDate(int year, int month, int day);
// 除夕: the last day of the 12th month, the day before 正月初一 of lunar year `year`.
Date NewYearsEve(int year);
// The date of 清明 (sun at 15°) in Gregorian `year`, Beijing time.
Date Qingming(int year);

}  // namespace civicgrid::calendar::lunar
