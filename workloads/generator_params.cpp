// make_generator(): generators by name, their options from key=value parameters.

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "workloads/generators.hpp"
#include "workloads/trace_fields.hpp"

namespace mesosim {
namespace {

// Reads typed parameters out of the map, remembering the keys it knows, so that a key no
// generator reads (a typo) is an error rather than ignored.
class Params {
 public:
  Params(std::string_view kind, const std::map<std::string, std::string>& values)
      : kind_(kind), values_(values) {}

  void integer(const char* key, int64_t min, int64_t max, auto& out) {
    known_.insert(key);
    auto it = values_.find(key);
    if (it == values_.end() || error_) return;
    const auto v = parse_int(it->second);
    if (!v || *v < min || *v > max) {
      fail(key, fmt::format("an integer from {} to {}", min, max), it->second);
      return;
    }
    out = static_cast<std::remove_reference_t<decltype(out)>>(*v);
  }
  void seconds(const char* key, Duration& out, bool allow_inf = false) {
    known_.insert(key);
    auto it = values_.find(key);
    if (it == values_.end() || error_) return;
    const auto v = parse_seconds_micros(it->second);
    if (!v || (!allow_inf && *v == Duration::max().micros())) {
      fail(key, allow_inf ? "seconds >= 0 or inf" : "seconds >= 0", it->second);
      return;
    }
    out = Duration::micros(*v);
  }
  void resources(const char* key, Resources& out) {
    known_.insert(key);
    auto it = values_.find(key);
    if (it == values_.end() || error_) return;
    auto r = Resources::parse(it->second);
    if (!r.ok() || r.value().empty()) {
      fail(key, "resources in Mesos text (cpus:1;mem:1024)", it->second);
      return;
    }
    out = std::move(r).value();
  }
  void text(const char* key, std::string& out) {
    known_.insert(key);
    auto it = values_.find(key);
    if (it == values_.end() || error_) return;
    if (it->second.empty()) {
      fail(key, "a name", "");
      return;
    }
    out = it->second;
  }

  Status finish() const {
    if (error_) return *error_;
    for (const auto& [k, v] : values_) {
      if (known_.count(k) == 0) {
        std::string names;
        for (const auto& n : known_) names += (names.empty() ? "" : ", ") + n;
        return Error{
            fmt::format("generator {}: unknown parameter '{}' (known: {})", kind_, k, names)};
      }
    }
    return Status::success();
  }

 private:
  void fail(const char* key, const std::string& expected, const std::string& found) {
    error_ = Error{fmt::format("generator {}: parameter {}: expected {}, found '{}'", kind_, key,
                               expected, found)};
  }

  std::string kind_;
  const std::map<std::string, std::string>& values_;
  std::set<std::string> known_;
  std::optional<Error> error_;
};

constexpr int64_t kBig = 100'000'000;

}  // namespace

std::vector<std::string_view> generator_kinds() {
  return {"facebook", "large-hadoop", "spark", "mpi", "storm", "services", "google-like", "sleep"};
}

Result<std::unique_ptr<JobSource>> make_generator(
    std::string_view kind, uint64_t seed, const std::map<std::string, std::string>& values) {
  Params p(kind, values);
  std::unique_ptr<JobSource> source;
  if (kind == "facebook") {
    FacebookHadoopOptions o;
    p.integer("jobs", 0, kBig, o.jobs);
    p.seconds("mean_interarrival", o.mean_interarrival);
    p.resources("map_task", o.map_task);
    p.resources("reduce_task", o.reduce_task);
    p.seconds("map_duration", o.map_duration);
    p.seconds("reduce_duration", o.reduce_duration);
    p.integer("agents", 1, kBig, o.agents);
    p.integer("racks", 1, kBig, o.racks);
    p.integer("replicas", 0, 100, o.replicas);
    p.text("framework", o.framework);
    source = make_facebook_hadoop(o, seed);
  } else if (kind == "large-hadoop") {
    LargeHadoopOptions o;
    p.integer("jobs", 0, kBig, o.jobs);
    p.integer("tasks", 1, 10'000'000, o.tasks);
    p.resources("task", o.task);
    p.seconds("task_duration", o.task_duration);
    p.integer("agents", 1, kBig, o.agents);
    p.integer("racks", 1, kBig, o.racks);
    p.integer("replicas", 0, 100, o.replicas);
    p.text("framework", o.framework);
    source = make_large_hadoop(o, seed);
  } else if (kind == "spark") {
    SparkOptions o;
    p.integer("apps", 0, kBig, o.apps);
    p.seconds("interval", o.interval);
    p.integer("iterations", 0, 100'000, o.iterations);
    p.integer("tasks", 1, 10'000'000, o.tasks);
    p.resources("task", o.task);
    p.seconds("load_duration", o.load_duration);
    p.seconds("iteration_duration", o.iteration_duration);
    p.text("framework", o.framework);
    source = make_spark(o, seed);
  } else if (kind == "mpi") {
    MpiOptions o;
    p.integer("small", 0, kBig, o.small);
    p.integer("large", 0, kBig, o.large);
    p.integer("tasks", 1, 10'000'000, o.tasks);
    p.resources("task", o.task);
    p.seconds("small_duration", o.small_duration);
    p.seconds("large_duration", o.large_duration);
    p.seconds("mean_interarrival", o.mean_interarrival);
    p.text("framework", o.framework);
    source = make_mpi(o, seed);
  } else if (kind == "storm" || kind == "services") {
    LongRunningOptions o;
    if (kind == "services") {
      o.count = 10;
      o.workers = 5;
    }
    p.integer("count", 0, kBig, o.count);
    p.integer(kind == "storm" ? "workers" : "max_instances", 1, 10'000'000, o.workers);
    p.resources("task", o.task);
    p.seconds("mean_interarrival", o.mean_interarrival);
    p.seconds("lifetime", o.lifetime, true);
    p.text("framework", o.framework);
    source = kind == "storm" ? make_storm(o, seed) : make_services(o, seed);
  } else if (kind == "google-like") {
    GoogleLikeOptions o;
    p.integer("jobs", 0, int64_t{10'000'000'000}, o.jobs);
    p.seconds("span", o.span);
    p.integer("max_tasks", 1, 10'000'000, o.max_tasks);
    p.seconds("min_duration", o.min_duration);
    p.seconds("max_duration", o.max_duration);
    p.text("framework", o.framework);
    if (o.min_duration <= Duration::zero() || o.max_duration < o.min_duration) {
      return Error{"generator google-like: expected 0 < min_duration <= max_duration"};
    }
    source = make_google_like(o, seed);
  } else if (kind == "sleep") {
    SleepOptions o;
    p.integer("jobs", 0, kBig, o.jobs);
    p.integer("tasks", 1, 10'000'000, o.tasks);
    p.resources("task", o.task);
    p.seconds("mean_duration", o.mean_duration);
    p.seconds("sd_duration", o.sd_duration);
    p.seconds("min_duration", o.min_duration);
    p.seconds("mean_interarrival", o.mean_interarrival);
    p.text("framework", o.framework);
    if (o.min_duration <= Duration::zero() || o.sd_duration < Duration::zero() ||
        o.mean_duration < o.min_duration) {
      return Error{
          "generator sleep: expected 0 < min_duration <= mean_duration and sd_duration >= 0"};
    }
    source = make_sleep(o, seed);
  } else {
    std::string kinds;
    for (auto k : generator_kinds()) kinds += (kinds.empty() ? "" : ", ") + std::string(k);
    return Error{fmt::format("unknown generator '{}' (known: {})", kind, kinds)};
  }
  if (Status s = p.finish(); !s.ok()) return s.error();
  return source;
}

}  // namespace mesosim
