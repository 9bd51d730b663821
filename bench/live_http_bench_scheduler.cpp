// live_http_bench's schedulers (live_http_bench.hpp): each a v1 scheduler over loopback HTTP, as
// an external client is, with a SUBSCRIBE stream read chunk by chunk (RecordIO, JSON) and its
// ACCEPT / DECLINE / ACKNOWLEDGE calls on a keep-alive connection of its own.

#include <algorithm>
#include <deque>
#include <string>
#include <unordered_map>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "bench/live_http_bench.hpp"
#include "sim/live/recordio.hpp"

namespace mesosim::live_bench {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using namespace mesosim::live;

json scalar(const char* name, double value) {
  return {{"name", name}, {"type", "SCALAR"}, {"scalar", {{"value", value}}}};
}

// One v1 scheduler over HTTP: its event stream and its calls.

}  // namespace

class Scheduler : public std::enable_shared_from_this<Scheduler> {
 public:
  Scheduler(net::io_context& io, uint16_t port, int index, Load& load, const BenchOptions& o)
      : port_(port), index_(index), load_(load), options_(o), stream_(io), calls_(io) {}

  void start() {
    const tcp::endpoint master{net::ip::make_address("127.0.0.1"), port_};
    auto self = shared_from_this();
    stream_.async_connect(master, [self](beast::error_code ec) {
      if (ec) return self->fail("subscribe connect: " + ec.message());
      self->send_subscribe();
    });
    calls_.async_connect(master, [self](beast::error_code ec) {
      if (ec) return self->fail("call connect: " + ec.message());
      self->calls_connected_ = true;
      self->pump();
    });
  }
  void close() {
    beast::error_code ec;
    stream_.close(ec);
    calls_.socket().close(ec);
  }

 private:
  void fail(const std::string& why) {
    ++load_.call_errors;
    load_.problem(fmt::format("scheduler {}: {}", index_, why));
  }

  void send_subscribe() {
    const json info{{"user", "root"}, {"name", fmt::format("bench-{}", index_)}};
    const std::string body =
        json{{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", info}}}}.dump();
    subscribe_request_ = fmt::format(
        "POST /api/v1/scheduler HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Accept: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.size(), body);
    net::async_write(stream_, net::buffer(subscribe_request_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->fail("subscribe write: " + ec.message());
                       self->read_stream();
                     });
  }

  void read_stream() {
    stream_.async_read_some(net::buffer(read_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) {
                                if (ec != net::error::operation_aborted && self->load_.launching)
                                  self->fail("event stream: " + ec.message());
                                return;
                              }
                              self->pending_.append(self->read_buffer_.data(), n);
                              if (self->parse_stream()) self->read_stream();
                            });
  }

  // The response head, then chunks; each chunk's bytes go through the RecordIO decoder.
  bool parse_stream() {
    if (!head_done_) {
      const size_t end = pending_.find("\r\n\r\n");
      if (end == std::string::npos) return true;
      const std::string head = pending_.substr(0, end);
      pending_.erase(0, end + 4);
      if (head.compare(0, 12, "HTTP/1.1 200") != 0) {
        fail("SUBSCRIBE answered " + head.substr(0, head.find('\r')));
        return false;
      }
      std::string lower = head;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t at = lower.find("mesos-stream-id:");
      if (at == std::string::npos) {
        fail("no Mesos-Stream-Id");
        return false;
      }
      const size_t value = head.find_first_not_of(' ', at + 16);
      stream_id_ = head.substr(value, head.find('\r', value) - value);
      head_done_ = true;
    }
    while (true) {
      const size_t line = pending_.find("\r\n");
      if (line == std::string::npos) return true;
      const size_t size = std::stoul(pending_.substr(0, line), nullptr, 16);
      if (size == 0) {
        fail("the master ended the event stream");
        return false;
      }
      if (pending_.size() < line + 2 + size + 2) return true;
      auto records = decoder_.decode(std::string_view(pending_).substr(line + 2, size));
      pending_.erase(0, line + 2 + size + 2);
      if (!records) {
        fail("RecordIO: " + records.error().message);
        return false;
      }
      for (const std::string& record : records.value()) on_event(json::parse(record));
    }
  }

  void on_event(const json& event) {
    const std::string type = event.value("type", "");
    if (type == "SUBSCRIBED") {
      framework_id_ = event["subscribed"]["framework_id"]["value"];
      ++load_.subscribed;
    } else if (type == "OFFERS") {
      for (const json& offer : event["offers"]["offers"]) on_offer(offer);
    } else if (type == "UPDATE") {
      on_update(event["update"]["status"]);
    } else if (type == "ERROR") {
      fail("ERROR event: " + event["error"].value("message", ""));
    }
  }

  void on_offer(const json& offer) {
    double cpus = 0, mem = 0;
    for (const json& r : offer["resources"]) {
      if (r["name"] == "cpus") cpus += r["scalar"]["value"].get<double>();
      if (r["name"] == "mem") mem += r["scalar"]["value"].get<double>();
    }
    const auto fit = static_cast<uint64_t>(
        std::min((cpus + 1e-9) / options_.task_cpus, (mem + 1e-9) / options_.task_mem));
    const uint64_t n = std::min(
        {load_.due(SteadyClock::now()), fit, static_cast<uint64_t>(options_.max_tasks_per_offer)});
    if (load_.launching) {
      ++load_.offers;
      load_.offered.insert(index_);
    }
    const json filters{{"refuse_seconds", 0.0}};
    if (n == 0) {
      if (load_.launching) ++load_.declines;
      call({{"type", "DECLINE"},
            {"decline", {{"offer_ids", json::array({offer["id"]})}, {"filters", filters}}}});
      return;
    }
    json tasks = json::array();
    const auto now = SteadyClock::now();
    for (uint64_t i = 0; i < n; ++i) {
      const std::string id = fmt::format("s{}-t{}", index_, next_task_++);
      tasks.push_back({{"name", id},
                       {"task_id", {{"value", id}}},
                       {"agent_id", offer["agent_id"]},
                       {"resources", json::array({scalar("cpus", options_.task_cpus),
                                                  scalar("mem", options_.task_mem)})},
                       {"command", {{"shell", true}, {"value", options_.command}}}});
      accepted_at_[id] = now;
    }
    load_.launched += n;
    ++load_.accepts;
    call({{"type", "ACCEPT"},
          {"accept",
           {{"offer_ids", json::array({offer["id"]})},
            {"operations",
             json::array({{{"type", "LAUNCH"}, {"launch", {{"task_infos", std::move(tasks)}}}}})},
            {"filters", filters}}}});
  }

  void on_update(const json& status) {
    const std::string task = status["task_id"]["value"];
    const std::string state = status["state"];
    if (status.contains("uuid")) {
      ++load_.acknowledged;
      call({{"type", "ACKNOWLEDGE"},
            {"acknowledge",
             {{"agent_id", status["agent_id"]},
              {"task_id", status["task_id"]},
              {"uuid", status["uuid"]}}}});
    }
    auto it = accepted_at_.find(task);
    if (state == "TASK_RUNNING" && it != accepted_at_.end()) {
      ++load_.running;
      load_.client_latency_ms.push_back(seconds_between(it->second, SteadyClock::now()) * 1000);
      accepted_at_.erase(it);
    }
    if (state == "TASK_FINISHED") {
      ++load_.finished;
    } else if (state != "TASK_RUNNING" && state != "TASK_STARTING" && state != "TASK_STAGING") {
      ++load_.failed;
      accepted_at_.erase(task);
      load_.problem(fmt::format("task {}: {} {}", task, state, status.value("message", "")));
    }
  }

  void call(json body) {
    body["framework_id"] = {{"value", framework_id_}};
    queue_.push_back(body.dump());
    pump();
  }

  void pump() {
    if (busy_ || !calls_connected_ || queue_.empty() || stream_id_.empty()) return;
    busy_ = true;
    request_ = {http::verb::post, "/api/v1/scheduler", 11};
    request_.set(http::field::host, "127.0.0.1");
    request_.set(http::field::content_type, "application/json");
    request_.set("Mesos-Stream-Id", stream_id_);
    request_.keep_alive(true);
    request_.body() = std::move(queue_.front());
    queue_.pop_front();
    request_.prepare_payload();
    http::async_write(calls_, request_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->fail("call write: " + ec.message());
      self->response_ = {};
      http::async_read(
          self->calls_, self->reply_buffer_, self->response_, [self](beast::error_code e, size_t) {
            if (e) return self->fail("call read: " + e.message());
            if (self->response_.result_int() != 202) {
              self->fail(fmt::format("call answered {}: {}", self->response_.result_int(),
                                     self->response_.body()));
            }
            self->busy_ = false;
            self->pump();
          });
    });
  }

  uint16_t port_;
  int index_;
  Load& load_;
  const BenchOptions& options_;
  tcp::socket stream_;
  beast::tcp_stream calls_;
  bool calls_connected_ = false;
  std::string subscribe_request_;
  std::array<char, 65536> read_buffer_{};
  std::string pending_;
  bool head_done_ = false;
  RecordIODecoder decoder_;
  std::string stream_id_, framework_id_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer reply_buffer_;
  uint64_t next_task_ = 0;
  std::unordered_map<std::string, SteadyClock::time_point> accepted_at_;
};

std::shared_ptr<Scheduler> start_scheduler(boost::asio::io_context& io, uint16_t port, int index,
                                           Load& load, const BenchOptions& o) {
  auto scheduler = std::make_shared<Scheduler>(io, port, index, load, o);
  scheduler->start();
  return scheduler;
}

void close_scheduler(Scheduler& scheduler) { scheduler.close(); }

}  // namespace mesosim::live_bench
