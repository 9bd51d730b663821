#include "sim/master/event_log.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace mesosim {
namespace {

using Json = nlohmann::ordered_json;
using namespace master_event;
using Labels = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kFormat = "mesosim-master-events";

// Thrown by the field readers below, caught at parse_event_line: the message says which field
// and what was expected.
struct BadField {
  std::string message;
};

// ---- enums by name ----

std::string_view name_of(v1::TaskState e) { return v1::to_string(e); }
std::string_view name_of(v1::TaskStatusSource e) { return v1::to_string(e); }
std::string_view name_of(v1::TaskStatusReason e) { return v1::to_string(e); }
std::string_view name_of(v1::Operation::Type e) { return v1::to_string(e); }
std::string_view name_of(SkipReason e) { return to_string(e); }
std::string_view name_of(AgentRemovedReason e) { return to_string(e); }
std::string_view name_of(FrameworkRemovedReason e) { return to_string(e); }
std::string_view name_of(OfferRescindedReason e) { return to_string(e); }
std::string_view name_of(RecoveredReason e) { return to_string(e); }
std::string_view name_of(CallRejectedReason e) { return to_string(e); }

template <typename E>
std::optional<E> enum_of(std::string_view text) {
  if constexpr (std::is_same_v<E, v1::TaskState>) return v1::parse_task_state(text);
  else if constexpr (std::is_same_v<E, v1::TaskStatusSource>) return v1::parse_task_status_source(text);
  else if constexpr (std::is_same_v<E, v1::TaskStatusReason>) return v1::parse_task_status_reason(text);
  else if constexpr (std::is_same_v<E, v1::Operation::Type>) return v1::parse_operation_type(text);
  else if constexpr (std::is_same_v<E, SkipReason>) return parse_skip_reason(text);
  else if constexpr (std::is_same_v<E, AgentRemovedReason>) return parse_agent_removed_reason(text);
  else if constexpr (std::is_same_v<E, FrameworkRemovedReason>) return parse_framework_removed_reason(text);
  else if constexpr (std::is_same_v<E, OfferRescindedReason>) return parse_offer_rescinded_reason(text);
  else if constexpr (std::is_same_v<E, RecoveredReason>) return parse_recovered_reason(text);
  else return parse_call_rejected_reason(text);
}

// ---- values to JSON ----

Json encode(const std::string& v) { return v; }
Json encode(bool v) { return v; }
Json encode(size_t v) { return v; }
Json encode(double v) { return v; }
Json encode(Time v) { return v.micros(); }
Json encode(Duration v) { return v.micros(); }
Json encode(const Resources& v) { return v.to_string(); }
template <typename Tag>
Json encode(const v1::StringId<Tag>& v) { return v.value; }
template <typename E>
  requires std::is_enum_v<E>
Json encode(E v) { return std::string(name_of(v)); }
Json encode(const std::vector<std::string>& v) { return v; }
Json encode(const Labels& v) {
  Json out = Json::array();
  for (const auto& [key, value] : v) out.push_back(Json{{"key", key}, {"value", value}});
  return out;
}
Json encode(const std::vector<v1::Attribute>& v) {
  Json out = Json::array();
  for (const auto& a : v) out.push_back(Json{{"name", a.name}, {"value", a.value}});
  return out;
}
Json encode(const Quota& q) {
  Json limits = Json::object();
  for (const auto& [name, value] : q.limits) limits[std::string(name.str())] = value.to_string();
  return Json{{"guarantees", q.guarantees.to_string()}, {"limits", std::move(limits)}};
}
template <typename T>
Json encode(const std::optional<T>& v) { return v ? encode(*v) : Json(nullptr); }

// ---- values from JSON ----

[[noreturn]] void expected(std::string_view key, std::string_view what, const Json& found) {
  throw BadField{fmt::format("field '{}': expected {}, found {}", key, what, found.dump())};
}

void decode(std::string_view k, const Json& j, std::string& v) {
  if (!j.is_string()) expected(k, "a string", j);
  v = j.get<std::string>();
}
void decode(std::string_view k, const Json& j, bool& v) {
  if (!j.is_boolean()) expected(k, "true or false", j);
  v = j.get<bool>();
}
void decode(std::string_view k, const Json& j, size_t& v) {
  if (!j.is_number_unsigned()) expected(k, "a non-negative integer", j);
  v = j.get<size_t>();
}
void decode(std::string_view k, const Json& j, double& v) {
  if (!j.is_number()) expected(k, "a number", j);
  v = j.get<double>();
}
int64_t micros(std::string_view k, const Json& j) {
  if (!j.is_number_integer()) expected(k, "an integer number of microseconds", j);
  return j.get<int64_t>();
}
void decode(std::string_view k, const Json& j, Time& v) { v = Time::from_micros(micros(k, j)); }
void decode(std::string_view k, const Json& j, Duration& v) { v = Duration::micros(micros(k, j)); }
void decode(std::string_view k, const Json& j, Resources& v) {
  if (!j.is_string()) expected(k, "resources as text (\"cpus:1;mem:128\")", j);
  auto r = Resources::parse(j.get<std::string>());
  if (!r.ok()) throw BadField{fmt::format("field '{}': {}", k, r.error().message)};
  v = std::move(r).value();
}
template <typename Tag>
void decode(std::string_view k, const Json& j, v1::StringId<Tag>& v) { decode(k, j, v.value); }
template <typename E>
  requires std::is_enum_v<E>
void decode(std::string_view k, const Json& j, E& v) {
  std::string text;
  decode(k, j, text);
  auto e = enum_of<E>(text);
  if (!e) throw BadField{fmt::format("field '{}': unknown name '{}'", k, text)};
  v = *e;
}
void decode(std::string_view k, const Json& j, std::vector<std::string>& v) {
  if (!j.is_array()) expected(k, "an array of strings", j);
  v.clear();
  for (const auto& x : j) {
    v.emplace_back();
    decode(k, x, v.back());
  }
}
// [{"key": k, "value": v}, ...] for labels, [{"name": n, "value": v}, ...] for attributes.
template <typename Pair>
void decode_pairs(std::string_view k, const Json& j, const char* first, std::vector<Pair>& v) {
  if (!j.is_array()) expected(k, fmt::format("an array of {{\"{}\", \"value\"}} objects", first), j);
  v.clear();
  for (const auto& x : j) {
    if (!x.is_object() || !x.contains(first) || !x.contains("value")) {
      expected(k, fmt::format("an array of {{\"{}\", \"value\"}} objects", first), j);
    }
    Pair p;
    if constexpr (std::is_same_v<Pair, v1::Attribute>) {
      decode(k, x[first], p.name);
      decode(k, x["value"], p.value);
    } else {
      decode(k, x[first], p.first);
      decode(k, x["value"], p.second);
    }
    v.push_back(std::move(p));
  }
}
void decode(std::string_view k, const Json& j, Labels& v) { decode_pairs(k, j, "key", v); }
void decode(std::string_view k, const Json& j, std::vector<v1::Attribute>& v) {
  decode_pairs(k, j, "name", v);
}
void decode(std::string_view k, const Json& j, Quota& q) {
  if (!j.is_object() || !j.contains("guarantees") || !j.contains("limits") ||
      !j["guarantees"].is_string() || !j["limits"].is_object()) {
    expected(k, "{\"guarantees\": \"cpus:1\", \"limits\": {\"cpus\": \"2\"}}", j);
  }
  auto g = Quantities::parse(j["guarantees"].get<std::string>());
  if (!g.ok()) throw BadField{fmt::format("field '{}.guarantees': {}", k, g.error().message)};
  q.guarantees = std::move(g).value();
  q.limits.clear();
  for (const auto& [name, value] : j["limits"].items()) {
    auto s = value.is_string() ? Scalar::parse(value.get<std::string>()) : std::nullopt;
    if (!s) expected(fmt::format("{}.limits.{}", k, name), "a decimal as a string", value);
    q.limits.emplace_back(ResourceName::of(name), *s);
  }
}
template <typename T>
void decode(std::string_view k, const Json& j, std::optional<T>& v) {
  if (j.is_null()) {
    v.reset();
    return;
  }
  T x{};
  decode(k, j, x);
  v = std::move(x);
}

// ---- the fields of each event, once for writing and reading ----

struct Writer {
  static constexpr bool kWrites = true;
  Json& out;
  template <typename T>
  void operator()(const char* key, const T& v) { out[key] = encode(v); }
};

struct Reader {
  static constexpr bool kWrites = false;
  const Json& in;
  template <typename T>
  void operator()(const char* key, T& v) {
    auto it = in.find(key);
    if (it == in.end()) {
      if constexpr (requires { v.reset(); v.has_value(); }) {
        v.reset();  // an absent optional field reads as null
        return;
      } else {
        throw BadField{fmt::format("missing field '{}'", key)};
      }
    }
    decode(key, *it, v);
  }
};

template <typename IO> void fields(IO& io, LeaderElected& e) { io("master_id", e.master_id); }
template <typename IO> void fields(IO& io, MasterCrashed& e) { io("master_id", e.master_id); }
template <typename IO> void fields(IO& io, AgentAdded& e) {
  io("agent", e.agent); io("hostname", e.hostname); io("total", e.total);
  io("attributes", e.attributes); io("reregistered", e.reregistered);
}
template <typename IO> void fields(IO& io, AgentDisconnected& e) { io("agent", e.agent); }
template <typename IO> void fields(IO& io, AgentRemoved& e) {
  io("agent", e.agent); io("unreachable", e.unreachable); io("reason", e.reason);
  io("message", e.message);
}
template <typename IO> void fields(IO& io, AgentTotalChanged& e) {
  io("agent", e.agent); io("total", e.total);
}
template <typename IO> void fields(IO& io, FrameworkAdded& e) {
  io("framework", e.framework); io("name", e.name); io("roles", e.roles);
  io("resubscribed", e.resubscribed); io("suppressed_roles", e.suppressed_roles);
}
template <typename IO> void fields(IO& io, FrameworkDisconnected& e) { io("framework", e.framework); }
template <typename IO> void fields(IO& io, FrameworkRemoved& e) {
  io("framework", e.framework); io("reason", e.reason);
}
template <typename IO> void fields(IO& io, OffersSuppressed& e) {
  io("framework", e.framework); io("roles", e.roles);
}
template <typename IO> void fields(IO& io, OffersRevived& e) {
  io("framework", e.framework); io("roles", e.roles);
}
template <typename IO> void fields(IO& io, WeightChanged& e) { io("role", e.role); io("weight", e.weight); }
template <typename IO> void fields(IO& io, QuotaChanged& e) { io("role", e.role); io("quota", e.quota); }
template <typename IO> void fields(IO& io, OfferMade& e) {
  io("offer", e.offer); io("framework", e.framework); io("agent", e.agent); io("role", e.role);
  io("resources", e.resources);
}
template <typename IO> void fields(IO& io, OfferDeclined& e) {
  io("offer", e.offer); io("framework", e.framework); io("filter_us", e.filter);
  if (!IO::kWrites || e.reason) io("reason", e.reason);  // written only when given
}
template <typename IO> void fields(IO& io, OfferAccepted& e) {
  io("offer", e.offer); io("framework", e.framework); io("tasks_launched", e.tasks_launched);
}
template <typename IO> void fields(IO& io, OfferRescinded& e) {
  io("offer", e.offer); io("framework", e.framework); io("reason", e.reason);
}
template <typename IO> void fields(IO& io, OfferVoided& e) {
  io("offer", e.offer); io("framework", e.framework);
}
template <typename IO> void fields(IO& io, ResourcesRecovered& e) {
  io("framework", e.framework); io("agent", e.agent); io("role", e.role);
  io("resources", e.resources); io("reason", e.reason);
}
template <typename IO> void fields(IO& io, ResourcesAdopted& e) {
  io("framework", e.framework); io("agent", e.agent); io("role", e.role);
  io("resources", e.resources);
}
template <typename IO> void fields(IO& io, FilterSet& e) {
  io("framework", e.framework); io("agent", e.agent); io("role", e.role);
  io("resources", e.resources); io("duration_us", e.duration);
}
template <typename IO> void fields(IO& io, ReservationApplied& e) {
  io("framework", e.framework); io("agent", e.agent); io("role", e.role);
  io("operation", e.operation); io("from", e.from); io("to", e.to);
}
template <typename IO> void fields(IO& io, TaskStateChanged& e) {
  io("task", e.task); io("framework", e.framework); io("agent", e.agent); io("role", e.role);
  io("state", e.state); io("reason", e.reason); io("source", e.source);
  io("resources", e.resources); io("message", e.message); io("timestamp", e.timestamp);
  io("name", e.name); io("labels", e.labels);
}
template <typename IO> void fields(IO& io, TaskUsage& e) {
  io("task", e.task); io("framework", e.framework); io("agent", e.agent); io("usage", e.usage);
  io("timestamp", e.timestamp);
}
template <typename IO> void fields(IO& io, AllocationRun& e) {
  io("offers", e.offers); io("duration_us", e.duration);
}
template <typename IO> void fields(IO& io, OfferSkipped& e) {
  io("framework", e.framework); io("role", e.role); io("reason", e.reason); io("agents", e.agents);
}
template <typename IO> void fields(IO& io, CallRejected& e) {
  io("framework", e.framework); io("call", e.call); io("reason", e.reason);
  io("message", e.message);
}

// Builds the body whose type name is `type`, by trying each alternative of the variant.
template <size_t I = 0>
std::optional<MasterEventBody> body_of(std::string_view type, const Json& j) {
  if constexpr (I == std::variant_size_v<MasterEventBody>) {
    return std::nullopt;
  } else {
    using T = std::variant_alternative_t<I, MasterEventBody>;
    MasterEventBody probe{std::in_place_index<I>};
    if (event_type(probe) != type) return body_of<I + 1>(type, j);
    T body{};
    Reader r{j};
    fields(r, body);
    return MasterEventBody{std::move(body)};
  }
}

std::string known_types() {
  std::string out;
  [&]<size_t... I>(std::index_sequence<I...>) {
    ((out += (I ? ", " : "") +
             std::string(event_type(MasterEventBody{std::in_place_index<I>}))), ...);
  }(std::make_index_sequence<std::variant_size_v<MasterEventBody>>());
  return out;
}

Result<Json> parse_object(std::string_view line) {
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{"expected one JSON object, found malformed JSON"};
  if (!j.is_object()) return Error{"expected one JSON object, found " + std::string(j.type_name())};
  return j;
}

}  // namespace

std::string_view to_string(TimeBase base) {
  return base == TimeBase::kSimulated ? "simulated" : "unix_epoch";
}

std::string to_json_line(const MasterEvent& event) {
  Json j;
  j["t"] = event.time.micros();
  j["type"] = std::string(event_type(event.body));
  std::visit(
      [&](const auto& body) {
        Writer w{j};
        fields(w, const_cast<std::decay_t<decltype(body)>&>(body));
      },
      event.body);
  return j.dump();
}

Result<MasterEvent> parse_event_line(std::string_view line) {
  auto parsed = parse_object(line);
  if (!parsed.ok()) return parsed.error();
  const Json& j = parsed.value();
  try {
    Time t;
    std::string type;
    Reader r{j};
    r("t", t);
    r("type", type);
    auto body = body_of(type, j);
    if (!body) {
      return Error{fmt::format("unknown event type '{}'; expected one of {}", type, known_types())};
    }
    return MasterEvent{t, std::move(*body)};
  } catch (const BadField& bad) {
    return Error{bad.message};
  }
}

EventLogWriter::EventLogWriter(std::ostream& out, EventLogHeader header) : out_(out) {
  Json j;
  j["format"] = std::string(kFormat);
  j["version"] = header.version;
  j["writer"] = header.writer;
  j["time_base"] = std::string(to_string(header.time_base));
  out_ << j.dump() << '\n';
}

void EventLogWriter::on_event(const MasterEvent& event) { out_ << to_json_line(event) << '\n'; }

Result<EventLogReader> EventLogReader::open(std::istream& in, std::string name) {
  EventLogReader reader(in, std::move(name));
  std::string line;
  auto fail = [&](const std::string& what) {
    return Error{fmt::format("{}:{}: {}", reader.name_, reader.line_, what)};
  };
  if (!std::getline(in, line)) {
    return Error{fmt::format("{}:1: expected a header line, found an empty file", reader.name_)};
  }
  reader.line_ = 1;
  auto parsed = parse_object(line);
  if (!parsed.ok()) return fail("header: " + parsed.error().message);
  const Json& j = parsed.value();
  if (!j.contains("format") || j["format"] != std::string(kFormat)) {
    return fail(fmt::format("header: expected \"format\": \"{}\"", kFormat));
  }
  if (!j.contains("version") || !j["version"].is_number_integer()) {
    return fail("header: expected an integer \"version\"");
  }
  const int version = j["version"].get<int>();
  if (version != kEventLogVersion) {
    return fail(fmt::format("header: expected version {}, found version {}", kEventLogVersion,
                            version));
  }
  if (!j.contains("writer") || !j["writer"].is_string()) {
    return fail("header: expected a string \"writer\"");
  }
  const std::string base = j.contains("time_base") && j["time_base"].is_string()
                               ? j["time_base"].get<std::string>()
                               : std::string();
  if (base != "simulated" && base != "unix_epoch") {
    return fail("header: expected \"time_base\": \"simulated\" or \"unix_epoch\"");
  }
  reader.header_ = EventLogHeader{version, j["writer"].get<std::string>(),
                                  base == "simulated" ? TimeBase::kSimulated
                                                      : TimeBase::kUnixEpoch};
  return reader;
}

Result<std::optional<MasterEvent>> EventLogReader::next() {
  std::string line;
  while (std::getline(*in_, line)) {
    ++line_;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto event = parse_event_line(line);
    if (!event.ok()) return Error{fmt::format("{}:{}: {}", name_, line_, event.error().message)};
    return std::optional<MasterEvent>(std::move(event).value());
  }
  return std::optional<MasterEvent>();
}

}  // namespace mesosim
