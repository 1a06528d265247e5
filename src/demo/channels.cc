#include "demo/channels.h"

namespace civicgrid::demo {

// Shares from the brief: the hotline ~45%, grid patrol ~25%, digital city management ~15%.
const std::vector<ChannelSpec>& Channels() {
  static const std::vector<ChannelSpec> kChannels = {
      {"12345", 0.45, DayPattern::kEveryDay, HourPattern::kAllDay, {{"11", 6}, {"12", 4}, {"13", 3}, {"14", 8},
                                                                    {"15", 5}, {"16", 7}, {"17", 6}, {"18", 6},
                                                                    {"19", 5}, {"20", 3}, {"21", 3}, {"22", 4},
                                                                    {"23", 3}, {"24", 6}, {"25", 2}, {"06", 3},
                                                                    {"09", 2}, {"01", 2}, {"02", 1}, {"03", 1},
                                                                    {"04", 1}, {"08", 2}}},
      {"grid_patrol",
       0.25,
       DayPattern::kPatrol,
       HourPattern::kPatrol,
       {{"06", 6},
        {"09", 4},
        {"12", 5},
        {"13", 6},
        {"16", 4},
        {"23", 4},
        {"01", 2},
        {"03", 2},
        {"11", 4},
        {"18", 2},
        {"04", 1},
        {"08", 2}}},
      {"city_management",
       0.15,
       DayPattern::kEveryDay,
       HourPattern::kStreet,
       {{"01", 4}, {"02", 3}, {"03", 3}, {"04", 2}, {"05", 1}, {"06", 10}, {"07", 4}, {"08", 4}, {"09", 8}, {"10", 1}}},
      {"resident",
       0.07,
       DayPattern::kEveryDay,
       HourPattern::kAllDay,
       {{"16", 6},
        {"06", 3},
        {"12", 3},
        {"17", 3},
        {"18", 3},
        {"11", 2},
        {"13", 2},
        {"22", 2},
        {"25", 2},
        {"24", 2},
        {"01", 1}}},
      {"window",
       0.05,
       DayPattern::kOffice,
       HourPattern::kOffice,
       {{"14", 6}, {"15", 6}, {"11", 4}, {"19", 2}, {"23", 2}, {"20", 1}, {"21", 1}}},
      {"visit",
       0.03,
       DayPattern::kOffice,
       HourPattern::kOffice,
       {{"12", 6}, {"19", 5}, {"15", 3}, {"23", 3}, {"16", 2}, {"11", 2}, {"21", 1}}},
  };
  return kChannels;
}

const std::array<double, 24>& HourWeights(HourPattern p) {
  static const std::array<double, 24> kAllDay = {0.15, 0.1, 0.07, 0.05, 0.05, 0.1, 0.3, 0.7, 1.3, 1.7, 1.8,  1.5,
                                                 0.9,  1.0, 1.5,  1.7,  1.6,  1.2, 0.8, 0.8, 0.7, 0.5, 0.35, 0.2};
  static const std::array<double, 24> kPatrol = {0,   0,   0,   0,   0,   0,   0, 0.2, 1, 1.5, 1.5, 1.2,
                                                 0.4, 0.8, 1.4, 1.5, 1.3, 0.6, 0, 0,   0, 0,   0,   0};
  static const std::array<double, 24> kStreet = {0,   0,   0,   0,   0,   0,   0.1, 0.8, 1.3, 1.5, 1.5, 1.2,
                                                 0.6, 0.9, 1.4, 1.5, 1.3, 0.9, 0.5, 0.3, 0,   0,   0,   0};
  static const std::array<double, 24> kOffice = {0,   0,   0,   0,   0,   0,   0, 0, 0.6, 1.2, 1.5, 1.2,
                                                 0.2, 0.5, 1.2, 1.4, 1.2, 0.3, 0, 0, 0,   0,   0,   0};
  switch (p) {
    case HourPattern::kAllDay: return kAllDay;
    case HourPattern::kPatrol: return kPatrol;
    case HourPattern::kStreet: return kStreet;
    case HourPattern::kOffice: return kOffice;
  }
  return kAllDay;
}

const std::map<std::string, double>& CommonMatters() {
  static const std::map<std::string, double> kCommon = {
      {"06010", 4}, {"06011", 3}, {"06012", 3}, {"06013", 3}, {"06036", 3}, {"06042", 4}, {"06027", 3},
      {"06028", 3}, {"09006", 5}, {"09005", 4}, {"09009", 4}, {"09010", 3}, {"09001", 3}, {"07001", 4},
      {"01037", 4}, {"01004", 2}, {"12001", 4}, {"12002", 2}, {"13004", 4}, {"13001", 3}, {"16001", 4},
      {"16002", 3}, {"16003", 3}, {"16006", 3}, {"16007", 2}, {"17001", 3}, {"17002", 3}, {"17007", 2},
      {"18004", 4}, {"18005", 3}, {"19001", 3}, {"19002", 4}, {"14001", 3}, {"14002", 4}, {"15001", 2},
      {"15002", 2}, {"15004", 2}, {"22005", 3}, {"22003", 2}, {"22006", 2}, {"24001", 3}, {"24002", 4},
      {"24006", 2}, {"23003", 2}, {"11001", 2}, {"25001", 3}, {"25002", 2}, {"08001", 4}, {"08004", 3}};
  return kCommon;
}

const std::vector<Season>& Seasons() {
  static const std::vector<Season> kSeasons = {
      {"18007", {0, 0.2, 0.2, 0.3, 0.5, 4, 12, 2, 0.5, 2, 12, 4, 0.3}},
      {"06020", {0, 1, 1, 1, 1, 2, 3, 1, 1, 2, 4, 3, 1}},
      {"10001", {0, 10, 6, 0.5, 0, 0, 0, 0, 0, 0, 0, 0.5, 6}},
      {"06029", {0, 0.3, 0.3, 0.5, 1, 2, 3, 3, 3, 2, 1, 0.5, 0.3}},
      {"09002", {0, 0.5, 0.5, 0.8, 1, 1.5, 2, 2, 2, 1.5, 1, 0.8, 0.5}},
      {"17002", {0, 1, 1, 1, 1, 1, 1.5, 2.5, 2.5, 1.5, 1, 1, 1}},
      {"20001", {0, 0.3, 0.5, 0.5, 1, 2, 3, 4, 4, 1, 0.5, 0.3, 0.3}},
      {"14005", {0, 0.3, 0.5, 0.5, 1, 2, 3, 4, 3, 1, 0.5, 0.3, 0.3}},
      {"13007", {0, 0.2, 0.2, 0.3, 0.8, 2, 3, 4, 4, 1.5, 0.5, 0.2, 0.2}},
  };
  return kSeasons;
}

const std::vector<std::string>& StormMatters() {
  static const std::vector<std::string> kStormMatters = {"01072", "01067", "17002", "10002", "04002", "06013",
                                                         "01028", "13002", "01004", "01003", "17001", "06011"};
  return kStormMatters;
}

}  // namespace civicgrid::demo
