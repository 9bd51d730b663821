// Trace reader throughput: rows per second for SWF, Google task_events and native traces,
// plain and gzip, over data generated here (files in the system temp directory, made once
// per process), so the figures do not depend on any trace outside the repository.
// Figures and the command: bench/README.md, "Trace readers".

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <zlib.h>

#include "allocator/rng.hpp"
#include "workloads/generators.hpp"
#include "workloads/google_trace.hpp"
#include "workloads/native_format.hpp"
#include "workloads/swf_reader.hpp"

namespace mesosim {
namespace {

constexpr int64_t kSwfRows = 1'000'000;
constexpr int64_t kGoogleJobs = 200'000;  // about 1.8 million task events

std::string temp(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("mesosim_bench_" + name)).string();
}

void write_both(const std::string& text, const std::string& plain, const std::string& gz) {
  std::FILE* f = std::fopen(plain.c_str(), "wb");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  gzFile g = gzopen(gz.c_str(), "wb6");
  gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
  gzclose(g);
}

// SWF rows shaped like a production log: mostly one-processor jobs, some wide ones.
int64_t make_swf() {
  static const bool made = [] {
    Rng rng(1);
    std::string text = "; Version: 2.2\n; MaxProcs: 8192\n";
    int64_t submit = 0;
    for (int64_t j = 1; j <= kSwfRows; ++j) {
      submit += static_cast<int64_t>(rng.below(60));
      const uint64_t p = rng.below(100);
      const int procs = p < 77 ? 1 : p < 95 ? 8 << rng.below(3) : 64 << rng.below(4);
      text +=
          fmt::format("{:6} {:9} {:6} {:6} {:5} -1 -1 {:5} 86400 1200000 1 {} 1 -1 1 -1 -1 -1\n", j,
                      submit, rng.below(1000), rng.below(100000), procs, procs, rng.below(500));
    }
    write_both(text, temp("trace.swf"), temp("trace.swf.gz"));
    return true;
  }();
  (void)made;
  return kSwfRows;
}

// Google task_events in time order: each second a job of 1-8 tasks is submitted and scheduled,
// and the tasks of the job submitted 30 s earlier finish.
int64_t make_google() {
  static int64_t rows = 0;
  static const bool made = [] {
    Rng rng(2);
    std::string text;
    std::vector<int> sizes(kGoogleJobs);
    for (auto& s : sizes) s = 1 + static_cast<int>(rng.below(8));
    for (int64_t s = 0; s < kGoogleJobs + 30; ++s) {
      const int64_t t = 600'000'000 + s * 1'000'000;
      if (s < kGoogleJobs) {
        for (int k = 0; k < sizes[static_cast<size_t>(s)]; ++k) {
          text += fmt::format("{},,{},{},,0,user{},0,9,0.0625,0.0311,0.0002,0\n", t, 1000 + s, k,
                              s % 97);
          ++rows;
        }
        for (int k = 0; k < sizes[static_cast<size_t>(s)]; ++k) {
          text += fmt::format("{},,{},{},{},1,user{},0,9,0.0625,0.0311,0.0002,0\n", t + 1, 1000 + s,
                              k, s % 12500, s % 97);
          ++rows;
        }
      }
      if (s >= 30) {
        const int64_t job = s - 30;
        for (int k = 0; k < sizes[static_cast<size_t>(job)]; ++k) {
          text += fmt::format("{},,{},{},{},4,user{},0,9,,,,\n", t + 2, 1000 + job, k, job % 12500,
                              job % 97);
          ++rows;
        }
      }
    }
    write_both(text, temp("task_events.csv"), temp("task_events.csv.gz"));
    return true;
  }();
  (void)made;
  return rows;
}

int64_t make_native() {
  static int64_t rows = 0;
  static const bool made = [] {
    auto source = make_generator("google-like", 3, {{"jobs", "100000"}}).value();
    std::string text = native_header_line();
    for (;;) {
      auto job = source->next().value();
      if (!job) break;
      const size_t before = text.size();
      append_native_rows(*job, text);
      for (size_t i = before; i < text.size(); ++i) rows += text[i] == '\n';
    }
    write_both(text, temp("trace.csv"), temp("trace.csv.gz"));
    return true;
  }();
  (void)made;
  return rows;
}

template <typename Open>
void drain(benchmark::State& state, int64_t rows, Open open) {
  int64_t jobs = 0;
  for (auto _ : state) {
    auto reader = open();
    for (;;) {
      auto job = reader->next();
      if (!job.ok()) {
        state.SkipWithError(job.error().message.c_str());
        return;
      }
      if (!job.value()) break;
      ++jobs;
    }
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.counters["jobs"] =
      benchmark::Counter(static_cast<double>(jobs) / static_cast<double>(state.iterations()));
}

void BM_Swf(benchmark::State& state) {
  const int64_t rows = make_swf();
  const std::string path = temp(state.range(0) ? "trace.swf.gz" : "trace.swf");
  drain(state, rows, [&] { return SwfReader::open(path, {}).value(); });
}
BENCHMARK(BM_Swf)->ArgName("gzip")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_GoogleTaskEvents(benchmark::State& state) {
  const int64_t rows = make_google();
  const std::string path = temp(state.range(0) ? "task_events.csv.gz" : "task_events.csv");
  drain(state, rows, [&] { return GoogleTaskEventReader::open({path}, {}).value(); });
}
BENCHMARK(BM_GoogleTaskEvents)->ArgName("gzip")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_Native(benchmark::State& state) {
  const int64_t rows = make_native();
  const std::string path = temp(state.range(0) ? "trace.csv.gz" : "trace.csv");
  drain(state, rows, [&] { return NativeReader::open(path, {}).value(); });
}
BENCHMARK(BM_Native)->ArgName("gzip")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mesosim

BENCHMARK_MAIN();
