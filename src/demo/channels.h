// What comes in to the demo's centres, by which channel and when: each channel's share of the intake, its
// days and hours, the classes of matter it brings, the commonest matters, the seasons and a summer storm.
// Internal to src/demo.
#pragma once

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace civicgrid::demo {

enum class DayPattern { kEveryDay, kPatrol, kOffice };
enum class HourPattern { kAllDay, kPatrol, kStreet, kOffice };

struct ChannelSpec {
  const char* name;
  double share;
  DayPattern days;
  HourPattern hours;
  std::vector<std::pair<const char*, double>> majors;  // how often each class comes in by this channel
};

// In the order PlayHistory draws from them (their index is a channel's number).
const std::vector<ChannelSpec>& Channels();
// Relative intake per local hour, 0–23.
const std::array<double, 24>& HourWeights(HourPattern p);
// Matters that come in far more often than the rest: category code → factor.
const std::map<std::string, double>& CommonMatters();

struct Season {
  const char* code;
  std::array<double, 13> by_month;  // factor per month 1..12 (index 0 unused)
};
// Straw burning after the wheat and rice harvests, snow in winter, night markets and school enrolment in summer.
const std::vector<Season>& Seasons();

// What a summer storm week brings in (category codes).
const std::vector<std::string>& StormMatters();

}  // namespace civicgrid::demo
