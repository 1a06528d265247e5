#include "demo/people.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "privacy/personal_data.h"

namespace civicgrid::demo {
namespace {

const std::vector<std::string> kSurnames = {"王", "陈", "张", "李", "刘", "周", "吴", "徐", "孙", "朱",
                                            "杨", "胡", "顾", "高", "沈", "蒋", "丁", "季", "卞", "葛",
                                            "唐", "许", "马", "潘", "陆", "姜", "戴", "施", "薛", "单",
                                            "倪", "郭", "仇", "于", "严", "袁", "夏", "邱", "黄", "成"};
const std::vector<std::string> kGivenNames = {"建", "国", "华", "明", "军", "红", "英", "芳", "丽", "平", "伟", "强",
                                              "东", "海", "春", "兰", "秀", "梅", "玉", "峰", "涛", "勇", "杰", "霞",
                                              "燕", "俊", "文", "志", "新", "桂", "金", "凤", "林", "云", "洁", "静",
                                              "敏", "磊", "浩", "宇", "晨", "欣", "怡", "雨", "萍", "婷"};

}  // namespace

std::string PersonName(Rng& rng) {
  std::string name = rng.Pick(kSurnames);
  name += rng.Pick(kGivenNames);
  if (rng.Chance(0.6)) name += rng.Pick(kGivenNames);
  return name;
}

std::string Phone(Rng& rng) {
  std::string phone = "1";
  phone += char('3' + rng.Below(7));
  for (int k = 0; k < 9; ++k) phone += char('0' + rng.Below(10));
  return phone;
}

std::string IdNumber(Rng& rng, const std::string& county) {
  const std::chrono::year_month_day born{std::chrono::sys_days{std::chrono::year{1945} / 1 / 1} +
                                         days{rng.Below(60 * 365)}};
  char first17[32];
  std::snprintf(first17, sizeof first17, "%s%04d%02u%02u%03d", county.c_str(), int(born.year()), unsigned(born.month()),
                unsigned(born.day()), rng.Below(1000));
  return std::string(first17) + privacy::IdCheckCharacter(first17);
}

Reporter GridWorker(std::uint64_t seed, const std::string& grid_code) {
  Rng worker(Hash(seed, {TextKey(grid_code)}));
  Reporter r;
  r.name = PersonName(worker);
  r.phone = Phone(worker);
  return r;
}

Reporter DrawReporter(Rng& rng, const std::string& channel, const std::string& county) {
  Reporter r;
  if (channel == "city_management") {
    r.name = PersonName(rng);
    r.phone = Phone(rng);
  } else if (channel != "window" && channel != "visit" && rng.Chance(0.1)) {
    r.anonymous = true;
    r.phone = Phone(rng);
  } else {
    r.name = PersonName(rng);
    if (channel == "12345" && rng.Chance(0.3))
      r.name = r.name.substr(0, std::string("王").size()) + (rng.Chance(0.5) ? "先生" : "女士");
    r.phone = Phone(rng);
    if (channel == "window" || channel == "visit") r.id_number = IdNumber(rng, county);
  }
  return r;
}

}  // namespace civicgrid::demo
