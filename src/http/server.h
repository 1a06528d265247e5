// The HTTP server: the only user of Boost.Asio/Beast. I/O threads read and write; a worker pool runs the
// handler (which may block on the store), so a slow commit never stalls other connections.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/message.h"

namespace civicgrid::http {

// Every limit at the edge, explicit (docs/operator-guide.md lists them).
struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;            // 0: pick a free port (tests)
  int io_threads = 1;
  // Handler threads. They block until their commit is durable, so their number caps how many intakes
  // one group commit can carry: 8 gave 2,100 intakes/s, 64 gave 3,400/s (bench/README.md).
  int workers = 64;
  size_t max_body = 1 << 20;          // bytes; larger bodies answer 413
  size_t max_import_body = 64 << 20;  // for region imports
  size_t max_header = 16 << 10;       // bytes of request line + headers; larger answer 431
  std::chrono::seconds header_timeout{10};  // to receive a complete header (slow clients are cut off)
  std::chrono::seconds idle_timeout{60};    // keep-alive wait for the next request
  std::chrono::seconds body_timeout{60};
  size_t max_connections = 4096;  // beyond this, new connections are closed at once
};

using Handler = std::function<Response(Request&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Status Start();       // binds and starts the threads; port() is known after this
  int port() const;
  void WaitForSignal();  // blocks until SIGINT or SIGTERM
  void Stop();

  struct Impl;  // public only so that the connection code in server.cc can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace civicgrid::http
