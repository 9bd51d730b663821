// sim_soak: the randomized fault run of sim_invariants_test over a range of seeds, too long for
// ctest. Prints one line per seed that broke an invariant (seed and reason) and a summary;
// exits 1 if any seed failed, 2 on bad arguments. With --log it also prints each run's master
// event log (one line per event), to see how a failing seed got there. With --compare-eager it
// also runs each seed with eager periodic work (every allocation run visits every agent) and
// fails a seed whose event log, text or JSON, differs from the default run's. With --explain the
// masters publish the allocator's explanations (OFFER_SKIPPED) in every run.
//
//   sim_soak --from 21 --to 5020
//   sim_soak --from 516 --to 516 --log
//   sim_soak --from 1 --to 500 --compare-eager
//   sim_soak --from 1 --to 500 --compare-eager --explain

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>

#include "tests/sim/random_run.hpp"

namespace {

std::optional<uint64_t> parse_seed(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

int usage(const char* why) {
  std::fprintf(stderr, "sim_soak: %s\nusage: sim_soak --from SEED --to SEED [--log] [--compare-eager] [--explain]\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<uint64_t> from, to;
  bool log = false;
  bool compare_eager = false;
  bool explain = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--log" || arg == "--compare-eager" || arg == "--explain") {
      (arg == "--log" ? log : arg == "--explain" ? explain : compare_eager) = true;
      continue;
    }
    if ((arg != "--from" && arg != "--to") || i + 1 == argc) {
      return usage(
          "expected --from SEED, --to SEED and optionally --log, --compare-eager, --explain");
    }
    const auto seed = parse_seed(argv[++i]);
    if (!seed) return usage("a seed is a non-negative integer");
    (arg == "--from" ? from : to) = seed;
  }
  if (!from || !to) return usage("both --from and --to are required");
  if (*from > *to) return usage("--from must not be greater than --to");

  uint64_t failed = 0, tasks = 0, events = 0, faults = 0, skipped = 0, rebuilt = 0;
  for (uint64_t seed = *from; seed <= *to; ++seed) {
    using mesosim::testing::PeriodicWork;
    const mesosim::testing::RunResult r =
        mesosim::testing::random_run(seed, PeriodicWork::kDefault, explain);
    if (log) {
      for (const auto& line : r.log) {
        std::printf("seed %llu | %s\n", static_cast<unsigned long long>(seed), line.c_str());
      }
    }
    tasks += r.tasks;
    events += r.events;
    faults += r.faults;
    skipped += r.skipped_allocation_runs;
    rebuilt += r.lazy_pairs_rebuilt;
    bool bad = false;
    for (const auto* list : {&r.violations, &r.several_ends}) {
      for (const auto& v : *list) {
        std::printf("seed %llu: %s\n", static_cast<unsigned long long>(seed), v.c_str());
        bad = true;
      }
    }
    if (compare_eager) {
      const auto eager = mesosim::testing::random_run(seed, PeriodicWork::kEager, explain);
      if (eager.log != r.log || eager.json != r.json) {
        std::printf("seed %llu: the eager run's event log differs\n",
                    static_cast<unsigned long long>(seed));
        bad = true;
      }
    }
    if (r.tasks == 0) {
      std::printf("seed %llu: no task was launched\n", static_cast<unsigned long long>(seed));
      bad = true;
    }
    failed += bad;
    std::fflush(stdout);
  }
  std::printf(
      "sim_soak: seeds %llu-%llu: %llu failed; %llu tasks, %llu events, %llu faults, %llu quiet "
      "allocation runs skipped, %llu lazy health pairs rebuilt\n",
      static_cast<unsigned long long>(*from), static_cast<unsigned long long>(*to),
      static_cast<unsigned long long>(failed), static_cast<unsigned long long>(tasks),
      static_cast<unsigned long long>(events), static_cast<unsigned long long>(faults),
      static_cast<unsigned long long>(skipped), static_cast<unsigned long long>(rebuilt));
  return failed == 0 ? 0 : 1;
}
