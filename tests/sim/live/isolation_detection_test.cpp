// Which isolation an agent picks, on fake /sys/fs/cgroup trees.

#include "sim/live/isolation_detection.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "fake_cgroup_tree.hpp"
#include "live_test_util.hpp"

namespace mesosim::live {
namespace {

using namespace mesosim::live::testing;

void make_fake_v1(const std::string& root, std::initializer_list<const char*> controllers) {
  for (const char* c : controllers) {
    std::filesystem::create_directories(root + "/" + c);
    put_file(root + "/" + c + "/cgroup.procs", "");
  }
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(IsolationDetectionTest, PureV2WithControllersIsChosen) {
  TempDir dir;
  make_fake_v2_root(dir.path(), "cpuset cpu io memory pids");
  IsolationDetection d = detect_isolation(dir.path());
  EXPECT_EQ(d.kind, IsolationKind::kCgroupsV2);
  EXPECT_EQ(d.hierarchy, dir.path());
  EXPECT_TRUE(contains(d.explanation, "cgroups v2 at " + dir.path())) << d.explanation;
  EXPECT_EQ(make_isolator(d)->name(), "cgroups/v2");
}

TEST(IsolationDetectionTest, HybridV2WithoutControllersFallsBackToV1AndSaysWhy) {
  TempDir dir;
  make_fake_v2_root(dir.path() + "/unified", "");
  make_fake_v1(dir.path(), {"cpu", "cpuacct", "memory", "pids", "freezer"});
  IsolationDetection d = detect_isolation(dir.path());
  EXPECT_EQ(d.kind, IsolationKind::kCgroupsV1);
  EXPECT_EQ(d.hierarchy, dir.path());
  EXPECT_TRUE(contains(d.explanation, "lacks the controllers cpu, memory, pids")) << d.explanation;
  EXPECT_EQ(make_isolator(d)->name(), "cgroups/v1");
}

TEST(IsolationDetectionTest, HybridV2WithControllersIsPreferredToV1) {
  TempDir dir;
  make_fake_v2_root(dir.path() + "/unified", "cpu memory pids");
  make_fake_v1(dir.path(), {"cpu", "cpuacct", "memory", "pids"});
  IsolationDetection d = detect_isolation(dir.path());
  EXPECT_EQ(d.kind, IsolationKind::kCgroupsV2);
  EXPECT_EQ(d.hierarchy, dir.path() + "/unified");
}

TEST(IsolationDetectionTest, NoCgroupsMeansPosixWithTheReasons) {
  TempDir dir;
  make_fake_v1(dir.path(), {"cpu", "cpuacct", "memory"});  // no pids hierarchy
  IsolationDetection d = detect_isolation(dir.path());
  EXPECT_EQ(d.kind, IsolationKind::kPosix);
  EXPECT_TRUE(contains(d.explanation, "posix isolation")) << d.explanation;
  EXPECT_TRUE(contains(d.explanation, "no cgroup v1 hierarchy for pids")) << d.explanation;
  EXPECT_EQ(make_isolator(d)->name(), "posix");

  TempDir empty;
  IsolationDetection none = detect_isolation(empty.path());
  EXPECT_EQ(none.kind, IsolationKind::kPosix);
  EXPECT_TRUE(contains(none.explanation, "cpu, cpuacct, memory, pids")) << none.explanation;
}

TEST(IsolationDetectionTest, ExplicitChoiceIsCheckedAndBadNamesAreErrors) {
  TempDir dir;
  make_fake_v2_root(dir.path() + "/unified", "");
  make_fake_v1(dir.path(), {"cpu", "cpuacct", "memory", "pids"});

  Result<IsolationDetection> v2 = choose_isolation("cgroups/v2", dir.path());
  ASSERT_FALSE(v2);
  EXPECT_TRUE(contains(v2.error().message, "cgroups/v2 is not available")) << v2.error().message;

  Result<IsolationDetection> v1 = choose_isolation("cgroups/v1", dir.path());
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(v1.value().kind, IsolationKind::kCgroupsV1);

  Result<IsolationDetection> posix = choose_isolation("posix", dir.path());
  ASSERT_TRUE(posix);
  EXPECT_EQ(posix.value().kind, IsolationKind::kPosix);

  Result<IsolationDetection> bad = choose_isolation("cgroups/v3", dir.path());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "isolation: expected auto, cgroups/v2, cgroups/v1 or posix, found 'cgroups/v3'");
}

}  // namespace
}  // namespace mesosim::live
