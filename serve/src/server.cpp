#include "server.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "assets.hpp"
#include "talentcast/io/diagnostic.hpp"

namespace talentcast::serve {

namespace {

using Response = httplib::Server::HandlerResponse;

// The page loads only its own assets and talks only to this server.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

// The most headers a request may have, and their bytes in all: a browser sends about 15 and a
// few kilobytes.
constexpr std::size_t kMaxHeaders = 100;
constexpr std::size_t kMaxHeaderBytes = 32 * 1024;

void refuse(httplib::Response& res, int status, const std::string& why) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", why}}.dump(), "application/json; charset=utf-8");
}

void answer(httplib::Response& res, Reply reply) {
  res.status = reply.status;
  if (!reply.filename.empty()) {
    res.set_header("Content-Disposition",
                   fmt::format("attachment; filename=\"{}\"", reply.filename));
  }
  res.set_content(std::move(reply.body), reply.content_type.c_str());
}

// Counts the requests that run the model; past the limit, the next is refused.
class Admission {
 public:
  explicit Admission(std::atomic<int>& running) : running_(running) { ++running_; }
  ~Admission() { --running_; }
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

 private:
  std::atomic<int>& running_;
};

// The connections the server has accepted, found as this process's sockets on its port with a
// peer (Linux: /proc/self/fd): cpp-httplib 0.11 does not show them. A connection that has not
// sent a whole request within kRequestSeconds of its start or of its last answer is shut down,
// and on stop every one is, so that clients that trickle their bytes neither hold the threads
// nor keep Ctrl-C waiting.
class Connections {
 public:
  static constexpr int kRequestSeconds = 10;
  explicit Connections(int port) : port_(port) {}

  /// A request of the connection from this peer port is being answered (its deadline waits).
  void answering(int peer) {
    const std::lock_guard lock(mutex_);
    busy_.insert(peer);
  }
  /// Its answer is done: the next request has a deadline of its own.
  void answered(int peer) {
    const std::lock_guard lock(mutex_);
    busy_.erase(peer);
    answered_[peer] = Clock::now();
  }
  /// Shuts down the connections past their deadline, or every one.
  void shut_down(bool all) {
    const auto now = Clock::now();
    std::map<int, Seen> current;
    for (const auto& [fd, peer] : accepted()) {
      const auto it = seen_.find(fd);
      Seen s = it != seen_.end() && it->second.peer == peer ? it->second : Seen{peer, now};
      const std::lock_guard lock(mutex_);
      const auto answered = answered_.find(peer);
      const auto since =
          answered != answered_.end() ? std::max(s.since, answered->second) : s.since;
      if (all || (!busy_.count(peer) && now - since > std::chrono::seconds(kRequestSeconds))) {
        ::shutdown(fd, SHUT_RDWR);
      }
      current[fd] = s;
    }
    seen_ = std::move(current);
    const std::lock_guard lock(mutex_);
    std::erase_if(answered_,
                  [&](const auto& a) { return now - a.second > std::chrono::minutes(1); });
  }

 private:
  using Clock = std::chrono::steady_clock;
  struct Seen {
    int peer;
    Clock::time_point since;
  };
  static int port_of(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET) {
      return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    }
    if (address.ss_family == AF_INET6) {
      return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    }
    return -1;
  }
  // fd -> peer port of each socket of this process bound to the server's port with a peer.
  std::map<int, int> accepted() const {
    std::map<int, int> out;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
      int fd = -1;
      try {
        fd = std::stoi(entry.path().filename().string());
      } catch (const std::exception&) {
        continue;
      }
      sockaddr_storage local{}, peer{};
      socklen_t size = sizeof local;
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) != 0) continue;
      if (port_of(local) != port_) continue;
      size = sizeof peer;
      if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) != 0) continue;
      out[fd] = port_of(peer);
    }
    return out;
  }

  const int port_;
  std::map<int, Seen> seen_;  // the watcher's alone
  std::mutex mutex_;
  std::set<int> busy_;
  std::map<int, Clock::time_point> answered_;
};

// What every request must be before it is routed: when the server listens on this machine
// alone, addressed to it by that name (so that a page of another site cannot reach it through
// DNS rebinding), and a POST with a body of a known, small
// size, neither chunked nor compressed (whose size the library would not bound).
Response check_request(const httplib::Request& req, httplib::Response& res,
                       const ServerSettings& settings, int port) {
  // No answer is cut into ranges: cpp-httplib would apply a Range header to every answer, an API
  // answer too, and many ranges would multiply it. (The request is the library's own, not const;
  // only this handler's view of it is.)
  const_cast<httplib::Request&>(req).ranges.clear();
  if (req.get_header_value_count("Host") != 1 || req.get_header_value_count("Content-Length") > 1) {
    refuse(res, 400, "expected one Host header, and at most one Content-Length");
    return Response::Handled;
  }
  // cpp-httplib bounds each header line (8 KiB) but not their number: a request with more is
  // refused here, once read (the connection's deadline bounds how long that takes).
  std::size_t header_bytes = 0;
  for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size() + 4;
  if (req.headers.size() > kMaxHeaders || header_bytes > kMaxHeaderBytes) {
    refuse(res, 431,
           fmt::format("expected at most {} headers of {} bytes in all", kMaxHeaders,
                       kMaxHeaderBytes));
    return Response::Handled;
  }
  const std::string host = req.get_header_value("Host");
  const bool loopback =
      settings.host == "localhost" || settings.host == "::1" || settings.host.starts_with("127.");
  const bool ours = !loopback || host == fmt::format("{}:{}", settings.host, port) ||
                    host == fmt::format("localhost:{}", port) ||
                    host == fmt::format("127.0.0.1:{}", port) ||
                    host == fmt::format("[::1]:{}", port);
  if (!ours) {
    refuse(res, 421, "this server answers requests addressed to it by its own host and port");
    return Response::Handled;
  }
  if (req.method == "GET" || req.method == "HEAD") return Response::Unhandled;
  if (req.method != "POST") {
    refuse(res, 405, "expected GET or POST");
    return Response::Handled;
  }
  // Only the page, or a program, asks: a page of another site sends its Origin, and cannot send
  // JSON without asking first (a CORS preflight, which this server never grants).
  if (req.has_header("Origin") && req.get_header_value("Origin") != "http://" + host) {
    refuse(res, 403, "expected a request from the what-if page itself (its Origin)");
    return Response::Handled;
  }
  if (req.has_header("Transfer-Encoding") || req.has_header("Content-Encoding")) {
    refuse(res, 415, "expected a body sent whole (no Transfer-Encoding or Content-Encoding)");
    return Response::Handled;
  }
  if (!req.has_header("Content-Length")) {
    refuse(res, 411, "expected a Content-Length");
    return Response::Handled;
  }
  const std::string length = req.get_header_value("Content-Length");
  if (length.empty() || length.size() > 9 ||
      length.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(length) > settings.max_body) {
    refuse(res, 413, fmt::format("expected a body of at most {} bytes", settings.max_body));
    return Response::Handled;
  }
  if (!req.get_header_value("Content-Type").starts_with("application/json")) {
    refuse(res, 415, "expected a JSON body (Content-Type: application/json)");
    return Response::Handled;
  }
  return Response::Unhandled;
}

void add_routes(httplib::Server& server, WhatIfService& service, const ServerSettings& settings,
                std::atomic<int>& running, const std::function<void(const std::string&)>& log) {
  // cpp-httplib's routes are regular expressions: the assets' paths are matched literally.
  const auto literal = [](std::string_view path) {
    std::string out;
    for (const char c : path) {
      if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
    return out;
  };
  for (const Asset& asset : assets()) {
    server.Get(literal(asset.path), [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(asset.body), std::string(asset.content_type).c_str());
    });
  }
  server.Get("/api/scenarios", [&service](const httplib::Request&, httplib::Response& res) {
    answer(res, service.scenarios());
  });
  server.Get("/api/levers", [&service](const httplib::Request& req, httplib::Response& res) {
    answer(res, service.levers(req.get_param_value("scenario")));
  });
  using Call = Reply (WhatIfService::*)(const std::string&);
  const std::pair<const char*, Call> posts[] = {
      {"/api/compare", &WhatIfService::compare},
      {"/api/export/toml", &WhatIfService::export_toml},
      {"/api/export/report", &WhatIfService::export_report}};
  for (const auto& [path, call] : posts) {
    server.Post(path, [&service, &settings, &running, &log, path = std::string(path), call = call](
                          const httplib::Request& req, httplib::Response& res) {
      const Admission admitted(running);
      if (running.load() > settings.max_running) {
        refuse(res, 503, "too many what-ifs at once; try again");
        return;
      }
      const auto started = std::chrono::steady_clock::now();
      Reply reply = (service.*call)(req.body);
      log(fmt::format(
          "{} {} in {:.2f} s", path, reply.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()));
      answer(res, std::move(reply));
    });
  }
}

}  // namespace

void serve_page(WhatIfService& service, const ServerSettings& settings,
                const std::atomic<bool>& stop,
                const std::function<void(const std::string& url)>& listening,
                const std::function<void(const std::string& line)>& log) {
  httplib::Server server;
  // Connections are answered by 16 threads; the model runs one what-if at a time anyway.
  server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  server.set_payload_max_length(settings.max_body);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  std::atomic<int> running{0};
  const int port = settings.port == 0 ? server.bind_to_any_port(settings.host)
                   : server.bind_to_port(settings.host, settings.port) ? settings.port
                                                                       : -1;
  if (port <= 0) {
    throw io::UserError(fmt::format(
        "--host {} --port {}: cannot listen there (is the port in use, or the host not this "
        "machine's?); choose another with --port, or --port 0 for any free port",
        settings.host, settings.port));
  }
  Connections connections(port);
  server.set_pre_routing_handler(
      [&settings, &connections, port](const httplib::Request& req, httplib::Response& res) {
        const Response checked = check_request(req, res, settings, port);
        if (checked == Response::Unhandled) connections.answering(req.remote_port);
        return checked;
      });
  server.set_post_routing_handler(
      [&connections](const httplib::Request& req, httplib::Response& res) {
        connections.answered(req.remote_port);
        res.set_header("Content-Security-Policy", kContentSecurityPolicy);
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("Referrer-Policy", "no-referrer");
        res.set_header("Cache-Control", "no-store");
      });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      refuse(res, res.status, res.status == 404 ? "no such page" : "the request was refused");
    }
  });
  server.set_exception_handler(
      [&log](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log(fmt::format("internal error answering {} {}: {}", req.method, req.path, what));
        refuse(res, 500, fmt::format("internal error: {}", what));
      });
  add_routes(server, service, settings, running, log);

  // Ctrl-C stops the run in progress and the server; stop() is called until it listens no more
  // (called before it listens, it would do nothing).
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    for (int tick = 0; !done.load(); ++tick) {
      if (stop.load()) {
        service.cancel();
        server.stop();
        connections.shut_down(true);
      } else if (tick % 5 == 0) {
        connections.shut_down(false);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const std::string shown = settings.host.find(':') != std::string::npos
                                ? fmt::format("[{}]", settings.host)
                                : settings.host;
  listening(fmt::format("http://{}:{}/", shown, port));
  server.listen_after_bind();
  done = true;
  watcher.join();
}

}  // namespace talentcast::serve
