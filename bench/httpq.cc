// Closed-loop latency of GET requests (search, cockpit): each of `--conns` keep-alive connections sends one
// request, reads the whole answer, then sends the next, so every latency is one request alone on its
// connection (one connection: one request at a time on the server). No civicgrid code.
//
//   httpq --port P --token T --paths FILE [--rounds 10] [--conns 1] [--warmup-rounds 1] [--max-seconds 120]
//         [--server-pid PID] [--seed 1]
//
// FILE has one request a line, "label<TAB>path" (the path already URL-encoded). Each round sends every line
// once, in an order shuffled per round. Prints one JSON object: latency percentiles over all requests, the
// status codes, CPU of the server and of this client, and per label: n, p50, p99, max, answer bytes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common.h"

namespace {

struct Line {
  std::string label, path;
};

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(std::uint16_t(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends the request and reads one whole answer (Content-Length framed). Returns the status (0: failed) and
// sets body_bytes and close_after.
int Exchange(int fd, const std::string& request, size_t& body_bytes, bool& close_after) {
  for (size_t off = 0; off < request.size();) {
    const ssize_t n = send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return 0;
    }
    off += size_t(n);
  }
  std::string in;
  char buf[65536];
  size_t head = std::string::npos, length = 0;
  close_after = false;
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    in.append(buf, size_t(n));
    if (head == std::string::npos) {
      head = in.find("\r\n\r\n");
      if (head == std::string::npos) continue;
      for (size_t pos = in.find("\r\n"); pos < head; pos = in.find("\r\n", pos + 2)) {
        const size_t colon = in.find(':', pos + 2);
        if (colon == std::string::npos || colon > head) break;
        std::string name = in.substr(pos + 2, colon - pos - 2);
        for (auto& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        const size_t eol = in.find("\r\n", colon);
        const std::string value = in.substr(colon + 1, eol - colon - 1);
        if (name == "content-length") length = size_t(std::atoll(value.c_str()));
        if (name == "connection" && value.find("close") != std::string::npos) close_after = true;
      }
    }
    if (in.size() >= head + 4 + length) break;
  }
  body_bytes = length;
  return std::atoi(in.c_str() + 9);
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  const int port = int(args.Int("port", 8080));
  const std::string token = args.Str("token");
  const int rounds = int(args.Int("rounds", 10)), warmup_rounds = int(args.Int("warmup-rounds", 1));
  const int nconns = std::max(1, int(args.Int("conns", 1)));
  const double max_seconds = args.Num("max-seconds", 120);
  const long server_pid = long(args.Int("server-pid", 0));
  std::vector<Line> lines;
  {
    std::ifstream in(args.Str("paths"));
    std::string text;
    while (std::getline(in, text)) {
      const size_t tab = text.find('\t');
      if (tab == std::string::npos || text.empty()) continue;
      lines.push_back({text.substr(0, tab), text.substr(tab + 1)});
    }
  }
  if (lines.empty()) {
    std::fprintf(stderr, "need --paths FILE with label<TAB>path lines\n");
    return 2;
  }
  auto request_of = [&](const Line& l) {
    return "GET " + l.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           (token.empty() ? std::string() : "\r\nAuthorization: Bearer " + token) + "\r\n\r\n";
  };

  // The work: warm-up rounds first (not recorded), then the measured rounds, each in its own shuffled order.
  std::mt19937_64 rng(std::uint64_t(args.Int("seed", 1)));
  struct Item {
    size_t line;
    bool measured;
  };
  std::vector<Item> work;
  for (int r = 0; r < warmup_rounds + rounds; ++r) {
    std::vector<size_t> order(lines.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t i : order) work.push_back({i, r >= warmup_rounds});
  }

  std::atomic<size_t> next{0};
  std::atomic<bool> measuring{false};
  std::mutex mu;
  std::vector<std::vector<double>> by_line(lines.size());
  std::vector<size_t> bytes_by_line(lines.size());
  std::map<int, long long> statuses;
  long long errors = 0;
  double srv0 = 0, self0 = 0, t_measure = 0;
  const double t_start = bench::Now();
  auto client = [&] {
    int fd = Connect(port);
    for (;;) {
      const size_t k = next.fetch_add(1);
      if (k >= work.size() || fd < 0) break;
      const Item& item = work[k];
      if (item.measured && !measuring.exchange(true)) {
        std::lock_guard lock(mu);
        srv0 = server_pid ? bench::ProcessCpuSeconds(server_pid) : 0;
        self0 = bench::SelfCpuSeconds();
        t_measure = bench::Now();
      }
      if (item.measured && bench::Now() - t_start > max_seconds) break;
      size_t bytes = 0;
      bool close_after = false;
      const double t0 = bench::Now();
      const int status = Exchange(fd, request_of(lines[item.line]), bytes, close_after);
      const double ms = (bench::Now() - t0) * 1e3;
      {
        std::lock_guard lock(mu);
        if (status == 0) ++errors;
        if (item.measured) {
          ++statuses[status];
          if (status >= 200 && status < 300) by_line[item.line].push_back(ms);
          bytes_by_line[item.line] = bytes;
        }
      }
      if (status == 0 || close_after) {
        close(fd);
        fd = Connect(port);
      }
    }
    if (fd >= 0) close(fd);
  };
  std::vector<std::thread> threads;
  for (int c = 0; c < nconns; ++c) threads.emplace_back(client);
  for (auto& t : threads) t.join();
  const double t_end = bench::Now();
  const double srv1 = server_pid ? bench::ProcessCpuSeconds(server_pid) : 0, self1 = bench::SelfCpuSeconds();

  std::vector<double> all;
  std::string per_label = "{";
  std::map<std::string, std::vector<size_t>> label_lines;
  for (size_t i = 0; i < lines.size(); ++i) label_lines[lines[i].label].push_back(i);
  bool first = true;
  for (const auto& [label, idx] : label_lines) {
    std::vector<double> v;
    size_t bytes = 0;
    for (size_t i : idx) {
      v.insert(v.end(), by_line[i].begin(), by_line[i].end());
      bytes = std::max(bytes, bytes_by_line[i]);
    }
    all.insert(all.end(), v.begin(), v.end());
    bench::Json j;
    j.Int("n", long(v.size()))
        .Num("p50_ms", bench::Percentile(v, 0.5))
        .Num("p99_ms", bench::Percentile(v, 0.99))
        .Num("max_ms", v.empty() ? 0 : *std::max_element(v.begin(), v.end()))
        .Int("bytes", long(bytes));
    std::string key;
    for (char c : label)
      if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) key += c;
    per_label += (first ? "\"" : ", \"") + key + "\": " + j.Dump();
    first = false;
  }
  per_label += "}";
  std::string statuses_json = "{";
  for (const auto& [code, count] : statuses)
    statuses_json += (statuses_json.size() > 1 ? ", \"" : "\"") + std::to_string(code) + "\": " + std::to_string(count);
  statuses_json += "}";
  const double window = t_measure > 0 ? t_end - t_measure : 0;
  bench::Json out;
  out.Int("n", long(all.size()))
      .Int("conns", nconns)
      .Int("rounds", rounds)
      .Num("seconds", window)
      .Num("p50_ms", bench::Percentile(all, 0.50))
      .Num("p90_ms", bench::Percentile(all, 0.90))
      .Num("p99_ms", bench::Percentile(all, 0.99))
      .Num("p999_ms", bench::Percentile(all, 0.999))
      .Num("max_ms", all.empty() ? 0 : *std::max_element(all.begin(), all.end()))
      .Num("mean_ms", all.empty() ? 0 : [&] {
        double s = 0;
        for (double x : all) s += x;
        return s / double(all.size());
      }())
      .Raw("statuses", statuses_json)
      .Int("errors", errors)
      .Num("server_cpu_cores", server_pid && window > 0 ? (srv1 - srv0) / window : 0)
      .Num("server_cpu_ms_per_request", server_pid && !all.empty() ? (srv1 - srv0) / double(all.size()) * 1e3 : 0)
      .Num("client_cpu_ms_per_request", !all.empty() ? (self1 - self0) / double(all.size()) * 1e3 : 0)
      .Raw("labels", per_label);
  std::printf("%s\n", out.Dump().c_str());
  return 0;
}
