#include "sim/live/scheduler_api.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <cstdlib>

#include <boost/asio/post.hpp>

#include "sim/live/recordio.hpp"
#include "sim/live/uuid.hpp"

namespace mesosim::live {

namespace sched = v1::scheduler;

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kRecordIO = "application/recordio";
constexpr std::string_view kProtobuf = "application/x-protobuf";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// "application/json; charset=utf-8" -> "application/json"
std::string_view media_type_of(std::string_view value) {
  return trim(value.substr(0, value.find(';')));
}

HttpResponse text(int status, std::string body) {
  return HttpResponse::text(status, std::move(body) + "\n");
}

HttpResponse refusal(const CallError& error, const v1::MasterInfo& info) {
  switch (error.code) {
    case CallError::Code::kBadRequest:
      return text(400, error.message);
    case CallError::Code::kForbidden:
      return text(403, error.message);
    case CallError::Code::kNotLeader: {
      HttpResponse r = text(307, error.message);
      r.headers.emplace_back("Location", fmt::format("//{}:{}", info.hostname, info.port));
      return r;
    }
  }
  return text(500, error.message);
}

HttpResponse unauthorized() {
  HttpResponse r = text(401,
                        "Unauthorized: this master requires HTTP Basic credentials of a principal "
                        "in its --credentials");
  r.headers.emplace_back("WWW-Authenticate", basic_challenge(kFrameworkAuthenticationRealm));
  return r;
}

HttpResponse principal_mismatch(std::string_view authenticated, std::string_view framework) {
  return text(400, fmt::format("Failed to validate scheduler::Call: Authenticated principal '{}' "
                               "does not match principal '{}' set in `FrameworkInfo`",
                               authenticated, framework));
}

bool unsupported(const Error& error) {
  return error.message.starts_with("call type '") &&
         error.message.ends_with("is not supported by mesosim");
}

}  // namespace

bool accepts_media_type(std::optional<std::string_view> header, std::string_view media_type) {
  if (!header) return true;
  const std::string_view family = media_type.substr(0, media_type.find('/'));
  std::string_view rest = *header;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const std::string_view type = media_type_of(item);
    const size_t q = item.find("q=");
    if (q != std::string_view::npos) {
      const std::string quality(trim(item.substr(q + 2)));
      if (std::strtod(quality.c_str(), nullptr) <= 0) continue;  // q=0: not acceptable
    }
    if (type == "*/*" || iequals(type, media_type)) return true;
    if (type.size() == family.size() + 2 && iequals(type.substr(0, family.size()), family) &&
        type.substr(family.size()) == "/*") {
      return true;
    }
  }
  return false;
}

SchedulerApi::SchedulerApi(Master& master, Endpoint master_endpoint, HttpTransport& transport,
                           v1::MasterInfo info, Rng& rng, std::optional<Credentials> credentials)
    : master_(master),
      master_endpoint_(master_endpoint),
      transport_(transport),
      info_(std::move(info)),
      rng_(rng),
      credentials_(std::move(credentials)),
      alive_(std::make_shared<bool>(true)) {
  master_.add_observer(this);
}

SchedulerApi::~SchedulerApi() {
  *alive_ = false;
  master_.remove_observer(this);
  close_all();
}

HttpReply SchedulerApi::handle(const HttpRequest& request) {
  // As in Mesos, authentication comes before the endpoint looks at the request.
  Principal principal;
  if (credentials_) {
    principal = authenticate_basic(request.header("Authorization"), *credentials_);
    if (!principal) return unauthorized();
  }
  if (request.method != "POST") {
    HttpResponse r =
        text(405, "Expecting one of { 'POST' }, but received '" + request.method + "'");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  const auto content_type = request.header("Content-Type");
  if (!content_type) return text(400, "Expecting 'Content-Type' to be present");
  const std::string_view media = media_type_of(*content_type);
  if (!iequals(media, kJson)) {
    return text(415,
                fmt::format("Expecting 'Content-Type' of {}{}", kJson,
                            iequals(media, kProtobuf) ? " (mesosim does not serve protobuf)" : ""));
  }
  Result<sched::Call> decoded = decode_call(request.body);
  if (!decoded) {
    if (unsupported(decoded.error())) return text(501, decoded.error().message);
    return text(400, "Failed to parse the body into a Call: " + decoded.error().message);
  }
  sched::Call call = std::move(decoded).value();
  if (std::holds_alternative<sched::Subscribe>(call.call)) {
    return subscribe(request, std::move(call), std::move(principal));
  }
  return this->call(request, std::move(call), principal);
}

HttpReply SchedulerApi::subscribe(const HttpRequest& request, sched::Call call,
                                  Principal principal) {
  std::string content_type;
  if (accepts_media_type(request.header("Accept"), kJson)) {
    content_type = kJson;
  } else if (accepts_media_type(request.header("Accept"), kRecordIO) &&
             accepts_media_type(request.header("Message-Accept"), kJson)) {
    content_type = kRecordIO;
  } else {
    return text(406, fmt::format("Expecting 'Accept' to allow '{}', or '{}' with 'Message-Accept' "
                                 "allowing '{}'",
                                 kJson, kRecordIO, kJson));
  }
  if (request.header("Mesos-Stream-Id")) {
    return text(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
  }
  if (principal) {
    std::string& declared = std::get<sched::Subscribe>(call.call).framework_info.principal;
    if (!declared.empty() && declared != *principal) {
      return principal_mismatch(*principal, declared);
    }
    if (declared.empty()) {
      spdlog::warn(
          "Setting 'principal' in FrameworkInfo to '{}' because the framework "
          "authenticated with that principal but did not set it in FrameworkInfo",
          *principal);
      declared = *principal;
    }
  }
  if (auto error = master_.validate(Endpoint{}, call)) return refusal(*error, info_);

  const std::string stream_id = Uuid::random(rng_).to_string();
  std::weak_ptr<bool> alive = alive_;
  // The sink learns its own endpoint once add_sink has returned it.
  auto own = std::make_shared<Endpoint>();
  const Endpoint endpoint =
      transport_.add_sink("scheduler stream " + stream_id + " from " + request.peer,
                          [this, alive, own](Endpoint, const Message& message) {
                            if (!alive.expired() && *alive.lock()) deliver(*own, message);
                          });
  *own = endpoint;
  HttpStreamingResponse response;
  response.headers = {{"Content-Type", content_type}, {"Mesos-Stream-Id", stream_id}};
  if (content_type == kRecordIO) response.headers.emplace_back("Message-Content-Type", kJson);
  const EncodeOptions encoding =
      encode_options_for(std::get<sched::Subscribe>(call.call).framework_info);
  response.opened = [this, alive, endpoint, stream_id, encoding, principal = std::move(principal),
                     call = std::move(call)](std::shared_ptr<HttpStream> http) {
    if (alive.expired() || !*alive.lock()) return http->close();
    streams_[endpoint] = Stream{endpoint, stream_id, http, std::nullopt, encoding, principal};
    by_stream_id_[stream_id] = endpoint;
    http->on_close([this, alive, endpoint] {
      if (!alive.expired() && *alive.lock()) stream_closed(endpoint);
    });
    transport_.send(endpoint, master_endpoint_, call);
  };
  return response;
}

HttpResponse SchedulerApi::call(const HttpRequest& request, sched::Call call,
                                const Principal& principal) {
  const auto stream_id = request.header("Mesos-Stream-Id");
  if (!stream_id) {
    return text(403, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  }
  auto it = by_stream_id_.find(std::string(*stream_id));
  if (it == by_stream_id_.end()) {
    return text(403, fmt::format("The stream ID '{}' is not an open subscription", *stream_id));
  }
  const Stream& stream = streams_.at(it->second);
  if (call.framework_id && stream.framework && *call.framework_id != *stream.framework) {
    return text(403, fmt::format("The stream ID '{}' belongs to framework {}, not {}", *stream_id,
                                 stream.framework->value, call.framework_id->value));
  }
  if (principal && stream.principal && *principal != *stream.principal) {
    return principal_mismatch(*principal, *stream.principal);
  }
  if (auto error = master_.validate(stream.endpoint, call)) return refusal(*error, info_);
  // What the master sends while handling the call (an ACCEPT's launches) dates from the request.
  transport_.set_origin(request.received);
  transport_.send(stream.endpoint, master_endpoint_, std::move(call));
  transport_.set_origin(std::nullopt);
  return HttpResponse{202, {}, ""};
}

void SchedulerApi::deliver(Endpoint endpoint, const Message& message) {
  auto it = streams_.find(endpoint);
  const auto* event = std::get_if<sched::Event>(&message);
  if (it == streams_.end() || event == nullptr) return;
  Stream& stream = it->second;
  const auto write = [&](const sched::Event& e) {
    stream.http->write(encode_record(encode_event(e, stream.encoding)));
  };
  if (const auto* subscribed = std::get_if<sched::Subscribed>(&event->event)) {
    stream.framework = subscribed->framework_id;
    sched::Event filled = *event;
    std::get<sched::Subscribed>(filled.event).master_info = info_;
    write(filled);
    write(sched::Event{sched::Heartbeat{}});  // as Mesos's heartbeater, at once
    return;
  }
  write(*event);
  if (const auto* error = std::get_if<sched::Error>(&event->event)) {
    spdlog::info("Closing the event stream {} after ERROR: {}", stream.id, error->message);
    stream.http->close();
  }
}

void SchedulerApi::stream_closed(Endpoint endpoint) {
  auto it = streams_.find(endpoint);
  if (it == streams_.end()) return;
  spdlog::info("Event stream {} of framework {} closed", it->second.id,
               it->second.framework ? it->second.framework->value : "(none yet)");
  by_stream_id_.erase(it->second.id);
  streams_.erase(it);
  transport_.remove_sink(endpoint);  // the master hears ExitedMessage: the framework disconnects
}

void SchedulerApi::close_all() {
  for (auto& [endpoint, stream] : streams_) stream.http->close();
}

void SchedulerApi::on_event(const MasterEvent& event) {
  const auto* removed = std::get_if<master_event::FrameworkRemoved>(&event.body);
  if (removed == nullptr) return;
  for (auto& [endpoint, stream] : streams_) {
    if (stream.framework == removed->framework) stream.http->close();
  }
}

}  // namespace mesosim::live
