// v1 scheduler Events -> JSON (include/mesos/v1/scheduler/scheduler.proto, message Event).
// Keys follow the declaration order of each message, as Mesos's protobuf-to-JSON writer does.

#include "sim/live/uuid.hpp"
#include "sim/live/v1_json.hpp"

namespace mesosim::live {

using nlohmann::ordered_json;
namespace sched = v1::scheduler;

namespace {

template <typename Tag>
ordered_json id_json(const v1::StringId<Tag>& id) {
  return {{"value", id.value}};
}

ordered_json master_info_json(const v1::MasterInfo& m) {
  ordered_json j;
  j["id"] = m.id;
  j["ip"] = m.ip;
  j["port"] = m.port;
  if (!m.hostname.empty()) j["hostname"] = m.hostname;
  if (!m.version.empty()) j["version"] = m.version;
  if (!m.address_ip.empty()) {
    ordered_json address;
    if (!m.hostname.empty()) address["hostname"] = m.hostname;
    address["ip"] = m.address_ip;
    address["port"] = m.port;
    j["address"] = address;
  }
  return j;
}

ordered_json offer_json(const v1::Offer& o, const EncodeOptions& options) {
  ordered_json j;
  j["id"] = id_json(o.id);
  j["framework_id"] = id_json(o.framework_id);
  j["agent_id"] = id_json(o.agent_id);
  j["hostname"] = o.hostname;
  if (!o.resources.empty()) j["resources"] = resources_to_json(o.resources, o.role, options);
  if (!o.attributes.empty()) {
    ordered_json attributes = ordered_json::array();
    for (const v1::Attribute& a : o.attributes) {
      attributes.push_back({{"name", a.name}, {"type", "TEXT"}, {"text", {{"value", a.value}}}});
    }
    j["attributes"] = attributes;
  }
  if (!o.executor_ids.empty()) {
    ordered_json ids = ordered_json::array();
    for (const v1::ExecutorID& id : o.executor_ids) ids.push_back(id_json(id));
    j["executor_ids"] = ids;
  }
  if (!o.role.empty()) j["allocation_info"] = {{"role", o.role}};
  return j;
}

ordered_json status_json(const v1::TaskStatus& s) {
  ordered_json j;
  j["task_id"] = id_json(s.task_id);
  j["state"] = std::string(v1::to_string(s.state));
  if (!s.message.empty()) j["message"] = s.message;
  j["source"] = std::string(v1::to_string(s.source));
  if (s.reason) j["reason"] = std::string(v1::to_string(*s.reason));
  if (!s.agent_id.value.empty()) j["agent_id"] = id_json(s.agent_id);
  if (s.executor_id) j["executor_id"] = id_json(*s.executor_id);
  j["timestamp"] = s.timestamp.seconds_f();
  if (s.uuid) j["uuid"] = base64_encode(s.uuid->view());
  return j;
}

struct EventBody {
  const EncodeOptions& options;

  ordered_json operator()(const sched::Subscribed& e) const {
    ordered_json j;
    j["framework_id"] = id_json(e.framework_id);
    j["heartbeat_interval_seconds"] = e.heartbeat_interval_seconds;
    if (e.master_info) j["master_info"] = master_info_json(*e.master_info);
    return j;
  }
  ordered_json operator()(const sched::Offers& e) const {
    ordered_json offers = ordered_json::array();
    for (const v1::Offer& o : e.offers) offers.push_back(offer_json(o, options));
    // An empty repeated field is omitted, leaving an empty object.
    return e.offers.empty() ? ordered_json::object() : ordered_json{{"offers", offers}};
  }
  ordered_json operator()(const sched::Rescind& e) const {
    return {{"offer_id", id_json(e.offer_id)}};
  }
  ordered_json operator()(const sched::Update& e) const {
    return {{"status", status_json(e.status)}};
  }
  ordered_json operator()(const sched::Failure& e) const {
    ordered_json j = ordered_json::object();
    if (e.agent_id) j["agent_id"] = id_json(*e.agent_id);
    if (e.executor_id) j["executor_id"] = id_json(*e.executor_id);
    if (e.status) j["status"] = *e.status;
    return j;
  }
  ordered_json operator()(const sched::Error& e) const { return {{"message", e.message}}; }
  ordered_json operator()(const sched::Heartbeat&) const { return nullptr; }
};

std::string body_key(std::string_view type) {
  std::string key(type);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

}  // namespace

std::optional<uint32_t> mesos_ip(std::string_view dotted_quad) {
  uint32_t ip = 0;
  size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= dotted_quad.size() || dotted_quad[pos] != '.') return std::nullopt;
      ++pos;
    }
    uint32_t value = 0;
    size_t digits = 0;
    while (pos < dotted_quad.size() && dotted_quad[pos] >= '0' && dotted_quad[pos] <= '9' &&
           digits < 3) {
      value = value * 10 + static_cast<uint32_t>(dotted_quad[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || value > 255) return std::nullopt;
    ip |= value << (8 * octet);  // first octet in the lowest byte, as s_addr on little endian
  }
  if (pos != dotted_quad.size()) return std::nullopt;
  return ip;
}

ordered_json event_to_json(const sched::Event& event, const EncodeOptions& options) {
  ordered_json j;
  std::string_view type = sched::event_type(event);
  j["type"] = std::string(type);
  ordered_json body = std::visit(EventBody{options}, event.event);
  if (!body.is_null()) j[body_key(type)] = std::move(body);
  return j;
}

std::string encode_event(const sched::Event& event, const EncodeOptions& options) {
  return event_to_json(event, options).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace mesosim::live
