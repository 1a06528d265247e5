// Connection lifecycle after the Beast async server example: a strand-free single-reader session per
// connection (one request at a time), timeouts on every read, header and body limits, a connection cap,
// and a worker pool for handlers. A WebSocket upgrade the upgrade handler accepts becomes a StreamSession:
// a read loop (for pings and close) and a bounded write queue fed by StreamSink::Send from any thread.
#include "http/server.h"

#include "http/problem.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <thread>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "common/log.h"
#include "common/mutex.h"

namespace civicgrid::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

namespace {
class StreamSession;
}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  UpgradeHandler upgrade;
  // Live streams, so that Stop can close them. Declared before ioc: sessions destroyed with the
  // io_context's pending handlers still unregister themselves here.
  common::Mutex streams_mu;
  common::CondVar streams_cv;  // signalled when a stream leaves `streams`
  std::map<const StreamSession*, std::weak_ptr<StreamSession>> streams GUARDED_BY(streams_mu);
  net::io_context ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> accept_pause;  // on the acceptor's strand; see Accept
  bool accept_failing = false;                      // logged once per run of failures; acceptor's strand
  std::unique_ptr<net::thread_pool> workers;
  std::vector<std::thread> io_threads;
  std::atomic<size_t> connections{0};
  BodyGate body_gate;
  // The body budget (ServerOptions::max_body_memory, max_body_memory_per_client): bytes reserved by requests
  // whose body is being read or handled, in all and by client address.
  common::Mutex body_mu;
  size_t body_bytes GUARDED_BY(body_mu) = 0;
  std::map<std::string, size_t> body_by_client GUARDED_BY(body_mu);
  std::atomic<bool> stopped{false};
  int bound_port = 0;
  // SIGINT/SIGTERM are caught from Start on, so a signal that arrives as soon as "listening" is printed
  // still shuts down cleanly (WaitForSignal only waits for it).
  net::io_context sig_ioc;
  std::unique_ptr<net::signal_set> signals;

  void Accept();
};

namespace {

// Incoming WebSocket messages are read only so that pings and close frames are answered; nothing a
// client says is used, so the limit is small.
constexpr size_t kMaxIncomingMessage = 4 << 10;
// How long Stop waits for streams to finish their closing handshake before stopping the I/O.
constexpr auto kStreamCloseGrace = std::chrono::seconds(1);
// After an early error answer (413, 431…), how long and how much of what the client still sends is read and
// dropped so that it sees the answer rather than a reset. One deadline for the whole drain, not per read:
// otherwise a client trickling a byte a second would hold the connection for ever.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kMaxDrain = 4 << 20;
// A chunked body's first reservation, and the least it grows by.
constexpr size_t kChunkedStep = 64 << 10;
// Descriptors kept back from connections for the store (SQLite's database, WAL and temporary files) and the
// rest, so that running out of descriptors stops new connections, not the store.
constexpr rlim_t kDescriptorReserve = 128;
// How long accept pauses after failing for want of descriptors or memory.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

// The queue between publishers (any thread) and a StreamSession's write loop (its strand).
class QueueSink final : public StreamSink {
 public:
  explicit QueueSink(std::weak_ptr<StreamSession> session) : session_(std::move(session)) {}
  bool Send(std::string text) override;
  void Close() override;
  // Closed without a word to the session: it is ending, or the server is stopping.
  void Detach() {
    common::MutexLock lock(mu_);
    closed_ = true;
    queue_.clear();
    bytes_ = 0;
  }
  // The write loop's next message; false (and the loop ends) when there is none.
  bool Pop(std::string& out) {
    common::MutexLock lock(mu_);
    if (closed_ || queue_.empty()) {
      flushing_ = false;
      return false;
    }
    out = std::move(queue_.front());
    queue_.pop_front();
    bytes_ -= out.size();
    return true;
  }

 private:
  // Runs `f` on the session's strand. Called with mu_ held, so that after Detach (under mu_) nothing more is
  // posted: Stop detaches every sink before the io_context goes away.
  template <class F>
  void PostLocked(F f) REQUIRES(mu_);

  common::Mutex mu_;
  bool closed_ GUARDED_BY(mu_) = false;
  bool flushing_ GUARDED_BY(mu_) = false;  // a write loop runs or is posted
  std::deque<std::string> queue_ GUARDED_BY(mu_);
  size_t bytes_ GUARDED_BY(mu_) = 0;
  std::weak_ptr<StreamSession> session_;
};

// An accepted WebSocket connection. All its members are used on its strand (the socket's executor),
// except from Stop once the I/O threads are joined.
class StreamSession : public std::enable_shared_from_this<StreamSession> {
 public:
  StreamSession(beast::tcp_stream&& stream, bhttp::request<bhttp::string_body> request, UpgradeDecision decision,
                Server::Impl& impl)
      : ex_(stream.get_executor()),
        ws_(std::move(stream)),
        request_(std::move(request)),
        on_open_(std::move(decision.on_open)),
        on_close_(std::move(decision.on_close)),
        impl_(impl) {
    ++impl_.connections;  // a stream counts toward max_connections like any connection
  }
  ~StreamSession() {
    Finish();  // when the io_context drops its handlers without running them
    --impl_.connections;
  }

  void Start() {
    {
      common::MutexLock lock(impl_.streams_mu);
      if (impl_.stopped) return;  // Stop has already taken its list: drop the connection
      impl_.streams[this] = weak_from_this();
      registered_ = true;
    }
    // The WebSocket layer has its own timeouts (handshake, idle with keep-alive pings); the TCP stream's
    // would cut off a quiet but healthy stream.
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(bhttp::field::server, "civicgrid"); }));
    ws_.read_message_max(kMaxIncomingMessage);
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) { self->OnAccept(ec); });
  }

  // The strand; fixed at construction, so any thread may read it.
  const net::any_io_executor& executor() const { return ex_; }

  // The sink's requests, run on the strand.
  void Flush() {
    if (writing_ || finished_) return;
    if (!sink_->Pop(out_)) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, size_t) {
      self->writing_ = false;
      if (ec) return self->Abort();
      self->Flush();
    });
  }
  void CloseWith(websocket::close_code code) {
    if (closing_ || finished_) return;
    if (!opened_) return Abort();  // still in the opening handshake: nothing to close politely
    closing_ = true;
    // The pending read ends once the closing handshake is done (or times out), and Finish follows.
    ws_.async_close(code, [self = shared_from_this()](beast::error_code ec) {
      if (ec) self->Abort();
    });
  }
  // Drops the connection at once: a client too slow to take its messages would not read a close frame.
  void Abort() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
  }

  // Once per accepted stream, whichever way it ends.
  void Finish() {
    if (finished_) return;
    finished_ = true;
    if (sink_) sink_->Detach();
    if (registered_) {
      common::MutexLock lock(impl_.streams_mu);
      impl_.streams.erase(this);
      impl_.streams_cv.NotifyAll();
    }
    if (opened_ && on_close_) {
      try {
        on_close_();
      } catch (const std::exception& e) {
        log::Error(std::string("stream on_close threw: ") + e.what());
      }
    }
  }

  QueueSink* sink() { return sink_.get(); }

 private:
  void OnAccept(beast::error_code ec) {
    request_ = {};
    if (ec) return Finish();  // never opened: no on_close
    sink_ = std::make_shared<QueueSink>(weak_from_this());
    opened_ = true;
    try {
      if (on_open_) on_open_(sink_);
    } catch (const std::exception& e) {
      log::Error(std::string("stream on_open threw: ") + e.what());
      return Abort();
    }
    Read();
  }

  void Read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Finish();  // closed by either side, timed out, too big, or aborted
      self->in_.consume(self->in_.size());
      self->Read();
    });
  }

  const net::any_io_executor ex_;
  websocket::stream<beast::tcp_stream> ws_;
  bhttp::request<bhttp::string_body> request_;  // the upgrade request, until the handshake is done
  std::function<void(std::shared_ptr<StreamSink>)> on_open_;
  std::function<void()> on_close_;
  Server::Impl& impl_;
  std::shared_ptr<QueueSink> sink_;
  beast::flat_buffer in_;
  std::string out_;  // the message being written
  bool registered_ = false;
  bool opened_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

template <class F>
void QueueSink::PostLocked(F f) {
  if (auto s = session_.lock()) net::post(s->executor(), [s, f = std::move(f)] { f(*s); });
}

bool QueueSink::Send(std::string text) {
  common::MutexLock lock(mu_);
  if (closed_) return false;
  if (queue_.size() >= kMaxQueuedMessages || bytes_ + text.size() > kMaxQueuedBytes) {
    // The client does not keep up: close rather than buffer without bound (see StreamSink).
    closed_ = true;
    queue_.clear();
    bytes_ = 0;
    PostLocked([](StreamSession& s) { s.Abort(); });
    return false;
  }
  bytes_ += text.size();
  queue_.push_back(std::move(text));
  if (!flushing_) {
    flushing_ = true;
    PostLocked([](StreamSession& s) { s.Flush(); });
  }
  return true;
}

void QueueSink::Close() {
  common::MutexLock lock(mu_);
  if (closed_) return;
  closed_ = true;
  queue_.clear();
  bytes_ = 0;
  PostLocked([](StreamSession& s) { s.CloseWith(websocket::close_code::normal); });
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& impl) : stream_(std::move(socket)), impl_(impl) {
    ++impl_.connections;
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
  }
  ~Session() {
    ReleaseBody();
    --impl_.connections;
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(true); });
  }

 private:
  void ReadHeader(bool first) {
    parser_.emplace();
    parser_->header_limit(std::uint32_t(impl_.options.max_header));
    // The parser checks Content-Length against its limit while reading the header, so it starts with the
    // largest limit any route has; OnHeader applies the route's own.
    parser_->body_limit(std::max(impl_.options.max_body, impl_.options.max_import_body));
    if (first || buffer_.size() > 0) return ReadRestOfHeader();
    // A kept-alive connection waits up to idle_timeout for the next request to begin, and then has
    // header_timeout for its header, like a new connection: with one timer for both, a slow client could
    // trickle a header for the whole (long) idle wait.
    stream_.expires_after(impl_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(1024), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->Close();  // the client went away, or stayed idle too long
      self->buffer_.commit(n);
      self->ReadRestOfHeader();
    });
  }

  void ReadRestOfHeader() {
    stream_.expires_after(impl_.options.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) {
      // The parser takes the request line as soon as it is whole (the target is set then), and leaves what
      // it could not parse in the buffer: no target and no line end means the request line (the URL) alone
      // is over the limit.
      const std::string_view rest(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      if (parser_->get().target().empty() && rest.find('\n') == std::string_view::npos)
        return Fail(ProblemResponse(Error{ErrorCode::kUriTooLong, "the request line exceeds the limit", {}, {}}));
      return Fail(
          ProblemResponse(Error{ErrorCode::kHeadersTooLarge, "the request line and headers exceed the limit", {}, {}}));
    }
    if (ec == bhttp::error::body_limit)
      return Fail(ProblemResponse(Error{ErrorCode::kTooLarge, "the request body exceeds the limit", {}, {}}));
    if (ec) return Close();
    auto head = std::make_shared<Request>();
    if (!FillRequest(*head))
      return Fail(
          ProblemResponse(Error{ErrorCode::kBadRequest, "malformed percent-encoding in the request target", {}, {}}));
    client_ = head->remote;
    const auto length = parser_->content_length();
    if (!(length && *length > impl_.options.max_body) && !parser_->chunked()) return Admit(false);
    // A body that may be large: the gate says who may send one before any of it is read (and the
    // authentication it needs reads the store, so it runs on a worker, not on this I/O thread).
    if (!impl_.body_gate) return Admit(false);
    net::post(*impl_.workers, [self = shared_from_this(), head] {
      Result<bool> large = false;
      try {
        large = self->impl_.body_gate(*head);
      } catch (const std::exception& e) {
        log::Error(std::string("body gate threw: ") + e.what());
        large = Error{ErrorCode::kInternal, "unexpected error", {}, {}};
      }
      net::post(self->stream_.get_executor(), [self, large = std::move(large)] {
        if (!large.ok()) return self->Fail(ProblemResponse(large.error()));
        self->Admit(*large);
      });
    });
  }

  // The request's own limit, then its share of the body budget, then the body.
  void Admit(bool large) {
    const size_t limit =
        large ? std::max(impl_.options.max_body, impl_.options.max_import_body) : impl_.options.max_body;
    const auto length = parser_->content_length();
    if (length && *length > limit)
      return Fail(ProblemResponse(Error{
          ErrorCode::kTooLarge, "the request body exceeds the limit of " + std::to_string(limit) + " bytes", {}, {}}));
    parser_->body_limit(limit);  // for chunked bodies, whose length is known only as they arrive
    // A Content-Length body is held whole from the start (the parser reserves it); a chunked one is counted
    // as it grows (OnBodySome), so announcing one costs nothing until its bytes come.
    const size_t body = length ? size_t(*length) : parser_->chunked() ? std::min(kChunkedStep, limit) : 0;
    body_limit_ = limit;
    if (!ReserveBody(body)) return BudgetExhausted();
    body_start_ = std::chrono::steady_clock::now();
    ReadBody();
  }

  void BudgetExhausted() {
    Fail(ProblemResponse(
        Error{ErrorCode::kUnavailable, "too many request bodies in transit; retry later", {}, {}, /*retry_after=*/1}));
  }

  // The body, a read at a time: each read's deadline is the body timeout, or the slow-body one while little
  // has come.
  void ReadBody() {
    if (parser_->is_done()) return OnRead({});
    auto deadline = body_start_ + impl_.options.body_timeout;
    if (parser_->get().body().size() < impl_.options.slow_body_bytes)
      deadline = std::min(deadline, body_start_ + impl_.options.slow_body_time);
    stream_.expires_at(deadline);
    bhttp::async_read_some(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBodySome(ec); });
  }

  void OnBodySome(beast::error_code ec) {
    if (ec == bhttp::error::body_limit)
      return Fail(ProblemResponse(Error{ErrorCode::kTooLarge, "the request body exceeds the limit", {}, {}}));
    if (ec) return Close();  // the client went away, or was too slow (its reservation goes with the session)
    if (parser_->chunked()) {
      // The body string grows by doubling: keep the reservation ahead of what it may hold.
      const size_t held = parser_->get().body().capacity();
      if (held > reserved_) {
        const size_t want = std::min(std::max(2 * held, reserved_ + kChunkedStep), body_limit_);
        if (want > reserved_ && !ReserveBody(want - reserved_)) return BudgetExhausted();
      }
    }
    ReadBody();
  }

  // The request line and header fields as the handlers see them (no body yet).
  bool FillRequest(Request& req) {
    auto& msg = parser_->get();
    req.method = std::string(msg.method_string());
    const std::string target(msg.target());
    const size_t q = target.find('?');
    bool ok = PercentDecode(target.substr(0, q), req.path, false);
    if (ok && q != std::string::npos) ok = ParseQueryString(target.substr(q + 1), req.query, &req.query_all);
    if (!ok) return false;
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      auto [it, fresh] = req.headers.try_emplace(name, f.value());
      // A list header sent on several lines is one list (RFC 9110 5.3); proxies each append their own.
      if (!fresh && name == "x-forwarded-for") it->second += ", " + std::string(f.value());
      else if (!fresh) it->second = std::string(f.value());  // otherwise the last line wins, as before
    }
    req.remote = ClientAddress(remote_, req.Header("x-forwarded-for"), impl_.options.trusted_proxies);
    return true;
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::body_limit)
      return Fail(ProblemResponse(Error{ErrorCode::kTooLarge, "the request body exceeds the limit", {}, {}}));
    if (ec) return Close();
    auto& msg = parser_->get();
    auto req = std::make_shared<Request>();
    if (!FillRequest(*req))
      return Fail(
          ProblemResponse(Error{ErrorCode::kBadRequest, "malformed percent-encoding in the request target", {}, {}}));
    req->body = std::move(msg.body());
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    stream_.expires_never();  // the handler may take a while; the write sets its own timeout
    if (impl_.upgrade && websocket::is_upgrade(msg)) {
      net::post(*impl_.workers, [self = shared_from_this(), req] {
        UpgradeDecision d;
        try {
          d = self->impl_.upgrade(*req);
        } catch (const std::exception& e) {
          log::Error(std::string("upgrade handler threw: ") + e.what());
          d = UpgradeDecision::Refuse(ProblemResponse(Error{ErrorCode::kInternal, "unexpected error", {}, {}}));
        }
        net::post(self->stream_.get_executor(), [self, d = std::move(d)]() mutable { self->OnUpgrade(std::move(d)); });
      });
      return;
    }
    net::post(*impl_.workers, [self = shared_from_this(), req] {
      Response res;
      try {
        res = self->impl_.handler(*req);
      } catch (const std::exception& e) {
        log::Error(std::string("handler threw: ") + e.what());
        res = ProblemResponse(Error{ErrorCode::kInternal, "unexpected error", {}, {}});
      }
      net::post(self->stream_.get_executor(), [self, res = std::move(res)]() mutable { self->Write(std::move(res)); });
    });
  }

  void OnUpgrade(UpgradeDecision d) {
    if (d.accept && impl_.stopped)
      d = UpgradeDecision::Refuse(ProblemResponse(Error{ErrorCode::kUnavailable, "shutting down", {}, {}}));
    if (!d.accept) {
      keep_alive_ = false;  // the client asked for another protocol; it will not reuse this connection
      return Write(std::move(d.refusal));
    }
    // The stream takes the socket over; this session ends when the handler returns.
    std::make_shared<StreamSession>(std::move(stream_), parser_->release(), std::move(d), impl_)->Start();
  }

  // An early error (body or header too large, bad target): answer, then drain what the client is still
  // sending for a moment, so that it reads our answer instead of a connection reset (a lingering close).
  void Fail(Response res) {
    keep_alive_ = false;
    linger_ = true;
    Write(std::move(res));
  }

  void StartDrain() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLingerTime);
    scratch_ = std::make_unique<std::array<char, 16384>>();  // only here: idle connections should be small
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(*scratch_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kMaxDrain) return self->Close();
      self->Drain();
    });
  }

  // The body budget (ServerOptions::max_body_memory, max_body_memory_per_client), held from a request's
  // header (or, chunked, as its body grows) until its answer. Adds `bytes` to this request's reservation.
  bool ReserveBody(size_t bytes) {
    if (bytes == 0) return true;
    common::MutexLock lock(impl_.body_mu);
    if (impl_.body_bytes + bytes > impl_.options.max_body_memory) return false;
    auto it = impl_.body_by_client.try_emplace(client_, 0).first;
    if (it->second + bytes > impl_.options.max_body_memory_per_client) {
      if (it->second == 0) impl_.body_by_client.erase(it);
      return false;
    }
    it->second += bytes;
    impl_.body_bytes += bytes;
    reserved_ += bytes;
    return true;
  }
  void ReleaseBody() {
    if (reserved_ == 0) return;
    common::MutexLock lock(impl_.body_mu);
    impl_.body_bytes -= reserved_;
    if (auto it = impl_.body_by_client.find(client_); it != impl_.body_by_client.end()) {
      it->second -= reserved_;
      if (it->second == 0) impl_.body_by_client.erase(it);
    }
    reserved_ = 0;
  }

  void Write(Response res) {
    ReleaseBody();  // the request (and its body) is done with
    res_ = {};
    res_.version(version_ ? version_ : 11);
    res_.result(static_cast<unsigned>(res.status));
    res_.set(bhttp::field::server, "civicgrid");
    res_.set(bhttp::field::content_type, res.content_type);
    // Security headers on every response.
    res_.set("X-Content-Type-Options", "nosniff");
    res_.set("X-Frame-Options", "DENY");
    res_.set("Referrer-Policy", "no-referrer");
    res_.set(bhttp::field::cache_control, "no-store");
    for (const auto& [k, v] : res.headers) res_.set(k, v);
    res_.keep_alive(keep_alive_ && !impl_.stopped);
    res_.body() = std::move(res.body);
    res_.prepare_payload();
    stream_.expires_after(impl_.options.body_timeout);
    bhttp::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec && self->linger_) return self->StartDrain();
      if (ec || !self->res_.keep_alive()) return self->Close();
      self->ReadHeader(false);
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  Server::Impl& impl_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::string remote_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool linger_ = false;
  size_t drained_ = 0;
  size_t reserved_ = 0;                               // of Impl::body_bytes
  std::string client_;                                // whose share of the budget reserved_ is
  size_t body_limit_ = 0;                             // this request's
  std::chrono::steady_clock::time_point body_start_;  // the end of its header
  std::unique_ptr<std::array<char, 16384>> scratch_;  // for draining
};

}  // namespace

void Server::Impl::Accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopped) return;
    namespace errc = boost::system::errc;
    if (ec == errc::too_many_files_open || ec == errc::too_many_files_open_in_system || ec == errc::no_buffer_space ||
        ec == errc::not_enough_memory) {
      // The connection stays queued, so accepting again at once fails again at once: a busy loop at full
      // CPU. Pause instead; connections that end meanwhile (timeouts) give the descriptors back.
      if (!accept_failing) log::Warn("accept failed, pausing new connections: " + ec.message());
      accept_failing = true;
      accept_pause->expires_after(kAcceptPause);
      accept_pause->async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !stopped) Accept();
      });
      return;
    }
    if (!ec && accept_failing) {
      accept_failing = false;
      log::Info("accepting connections again");
    }
    if (!ec) {
      if (connections.load() >= options.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), *this)->Start();
      }
    }
    Accept();
  });
}

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

Server::~Server() { Stop(); }

void Server::SetUpgradeHandler(UpgradeHandler handler) { impl_->upgrade = std::move(handler); }

void Server::SetBodyGate(BodyGate gate) { impl_->body_gate = std::move(gate); }

Status Server::Start() {
  auto& i = *impl_;
  if (!i.signals) i.signals = std::make_unique<net::signal_set>(i.sig_ioc, SIGINT, SIGTERM);
  beast::error_code ec;
  const auto address = net::ip::make_address(i.options.host, ec);
  if (ec) return Invalid("listen", "bad listen address '" + i.options.host + "'");
  const tcp::endpoint endpoint{address, static_cast<unsigned short>(i.options.port)};
  i.acceptor = std::make_unique<tcp::acceptor>(net::make_strand(i.ioc));
  i.acceptor->open(endpoint.protocol(), ec);
  if (!ec) i.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) i.acceptor->bind(endpoint, ec);
  if (!ec) i.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return Error{ErrorCode::kUnavailable,
                 "cannot listen on " + i.options.host + ":" + std::to_string(i.options.port) + ": " + ec.message(),
                 "listen",
                 {}};
  i.bound_port = i.acceptor->local_endpoint().port();
  i.accept_pause = std::make_unique<net::steady_timer>(i.acceptor->get_executor());
  // Each connection is a descriptor, and the usual soft limit (1,024) is well below max_connections: raise it
  // to the hard limit, and keep the connection cap under it with a reserve, so that a crowd of clients is
  // turned away at accept rather than making the store fail to open a file.
  if (rlimit rl{}; getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    const rlim_t want = std::min<rlim_t>(rl.rlim_max, 1 << 20);  // RLIM_INFINITY is refused for files
    if (rl.rlim_cur < want) {
      rlimit raised = rl;
      raised.rlim_cur = want;
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    const size_t usable =
        rl.rlim_cur > 2 * kDescriptorReserve ? size_t(rl.rlim_cur - kDescriptorReserve) : size_t(rl.rlim_cur / 2);
    if (i.options.max_connections > usable) {
      log::Warn("max connections lowered from " + std::to_string(i.options.max_connections) + " to " +
                std::to_string(usable) + " by the descriptor limit (ulimit -n " + std::to_string(rl.rlim_cur) + ")");
      i.options.max_connections = usable;
    }
  }
  i.workers = std::make_unique<net::thread_pool>(size_t(i.options.workers));
  i.Accept();
  for (int t = 0; t < i.options.io_threads; ++t) i.io_threads.emplace_back([&i] { i.ioc.run(); });
  return OkStatus();
}

int Server::port() const { return impl_->bound_port; }

void Server::WaitForSignal() {
  auto& i = *impl_;
  if (!i.signals) i.signals = std::make_unique<net::signal_set>(i.sig_ioc, SIGINT, SIGTERM);
  i.signals->async_wait([](beast::error_code, int) {});
  i.sig_ioc.run();
}

void Server::Stop() {
  auto& i = *impl_;
  if (i.stopped.exchange(true)) return;
  if (i.acceptor)
    net::post(i.acceptor->get_executor(), [&i] {
      beast::error_code ec;
      i.acceptor->close(ec);
    });
  // Let handlers in flight finish (their writes are already durable or refused), then stop the I/O.
  if (i.workers) i.workers->join();
  // Streams: no more messages (Detach), a close frame (going away), and a moment for it to go out.
  std::vector<std::shared_ptr<StreamSession>> streams;
  {
    common::MutexLock lock(i.streams_mu);
    for (auto& [p, weak] : i.streams)
      if (auto s = weak.lock()) streams.push_back(std::move(s));
  }
  for (auto& s : streams) {
    net::post(s->executor(), [s] {
      if (s->sink()) s->sink()->Detach();
      s->CloseWith(websocket::close_code::going_away);
    });
  }
  streams.clear();  // the posted handlers hold them; a finished stream must be free to go
  {
    common::MutexLock lock(i.streams_mu);
    const auto deadline = std::chrono::steady_clock::now() + kStreamCloseGrace;
    while (!i.streams.empty())
      if (!i.streams_cv.WaitUntil(i.streams_mu, deadline)) break;
  }
  i.ioc.stop();
  for (auto& t : i.io_threads) t.join();
  // No I/O thread runs now: end the streams still open here, so every on_close has run when Stop returns.
  {
    common::MutexLock lock(i.streams_mu);
    for (auto& [p, weak] : i.streams)
      if (auto s = weak.lock()) streams.push_back(std::move(s));
  }
  for (auto& s : streams) s->Finish();
}

}  // namespace civicgrid::http
