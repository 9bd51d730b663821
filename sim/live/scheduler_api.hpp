#pragma once

// `POST /api/v1/scheduler`: the Mesos v1 scheduler HTTP API (JSON) in front of a Master on the
// same loop.
//
// SUBSCRIBE opens a chunked 200 response, the framework's event stream: header
// `Mesos-Stream-Id: <uuid>`, `Content-Type: application/json` (or `application/recordio` with
// `Message-Content-Type: application/json` for a client that sends `Accept: application/recordio`
// and `Message-Accept: application/json`), each event one RecordIO record in its own chunk:
// SUBSCRIBED (with master_info) and a first HEARTBEAT at once, as Mesos's heartbeater does, then
// whatever the master sends. Each stream is an endpoint of the HttpTransport: the master sees a
// subscription as a connection, and the stream closing (the client going away) as that
// connection breaking (ExitedMessage: the framework is disconnected and its failover timeout
// starts). The master's ERROR event ends a stream after it is written (a failed-over scheduler's
// old stream gets "Framework failed over"), and so does the framework's removal (TEARDOWN).
//
// Every other call is its own request carrying `Mesos-Stream-Id`, answered `202 Accepted` once it
// passed every check; it then reaches the master in order with the stream's other calls.
// Refusals change nothing: 400 malformed or invalid (the body says why and where), 403 no or an
// unknown stream id, or a stream of another framework, or a call the master refuses to take from
// this connection, 405 not POST, 406 an Accept the API cannot serve, 415 a Content-Type other
// than application/json (protobuf included), 501 a call type mesosim does not implement
// (MESSAGE, SHUTDOWN, REQUEST, UPDATE_FRAMEWORK, inverse offers, operations), 307 to the leader
// from a master that does not lead. Size limits (413) are the HTTP server's.
//
// Threading: the loop thread only, like the Master it serves.

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "allocator/rng.hpp"
#include "sim/live/http_authentication.hpp"
#include "sim/live/http_server.hpp"
#include "sim/live/http_transport.hpp"
#include "sim/live/v1_json.hpp"
#include "sim/master/master.hpp"

namespace mesosim::live {

class SchedulerApi final : public MasterObserver {
 public:
  // `master` is reached through `transport` at `master_endpoint`; `info` goes into every
  // SUBSCRIBED event; `rng` makes the stream ids. All must outlive the API. With
  // `credentials`, every request must authenticate as one of them.
  SchedulerApi(Master& master, Endpoint master_endpoint, HttpTransport& transport,
               v1::MasterInfo info, Rng& rng,
               std::optional<Credentials> credentials = std::nullopt);
  ~SchedulerApi() override;
  SchedulerApi(const SchedulerApi&) = delete;
  SchedulerApi& operator=(const SchedulerApi&) = delete;

  HttpReply handle(const HttpRequest& request);

  size_t open_streams() const { return streams_.size(); }
  // Ends every stream (daemon shutdown).
  void close_all();

  void on_event(const MasterEvent& event) override;

 private:
  struct Stream {
    Endpoint endpoint;
    std::string id;  // Mesos-Stream-Id
    std::shared_ptr<HttpStream> http;
    std::optional<v1::FrameworkID> framework;  // once SUBSCRIBED went out
    EncodeOptions encoding;
    std::optional<std::string> principal;  // the authenticated one, when authentication is on
  };

  using Principal = std::optional<std::string>;  // nullopt: authentication is off
  HttpReply subscribe(const HttpRequest& request, v1::scheduler::Call call, Principal principal);
  HttpResponse call(const HttpRequest& request, v1::scheduler::Call call,
                    const Principal& principal);
  void deliver(Endpoint stream, const Message& message);
  void stream_closed(Endpoint stream);

  Master& master_;
  Endpoint master_endpoint_;
  HttpTransport& transport_;
  v1::MasterInfo info_;
  Rng& rng_;
  std::optional<Credentials> credentials_;
  std::map<Endpoint, Stream> streams_;
  std::map<std::string, Endpoint> by_stream_id_;
  std::shared_ptr<bool> alive_;
};

// Whether an Accept-style header value admits `media_type` ("application/json"): absent admits
// everything; `*/*`, `application/*` and the type itself do, unless given with q=0.
bool accepts_media_type(std::optional<std::string_view> header, std::string_view media_type);

}  // namespace mesosim::live
