// PendingShapes: pending keys grouped by need, a shape kept only while it has keys, and a first
// fit that drops a shape once its need no longer fits yet offers every key a walk would.

#include "workloads/pending_shapes.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/sim/sim_test_util.hpp"

namespace mesosim {
namespace {

using namespace mesosim::testing;

std::vector<uint64_t> take_all(const PendingShapes& shapes, const Resources& offer) {
  std::vector<uint64_t> taken;
  shapes.first_fit(offer, [&](uint64_t key) {
    taken.push_back(key);
    return true;
  });
  return taken;
}

TEST(PendingShapesTest, EqualNeedsShareAShapeThatLivesWhileItHasKeys) {
  PendingShapes shapes;
  shapes.insert(1, Res("cpus:1;mem:128"));
  shapes.insert(2, Res("mem:128;cpus:1"));
  shapes.insert(3, Res("cpus:2"));
  EXPECT_EQ(shapes.shapes(), 2u);
  shapes.erase(3, Res("cpus:2"));
  shapes.erase(1, Res("cpus:1;mem:128"));
  EXPECT_EQ(shapes.shapes(), 1u);
  shapes.erase(2, Res("cpus:1;mem:128"));
  EXPECT_EQ(shapes.shapes(), 0u);
  // A freed id serves the next new shape; nothing of the old one shows.
  shapes.insert(4, Res("cpus:3"));
  EXPECT_EQ(shapes.shapes(), 1u);
  EXPECT_EQ(take_all(shapes, Res("cpus:8;mem:1024")), (std::vector<uint64_t>{4}));
}

TEST(PendingShapesTest, KeysAreOfferedInOrderAcrossShapesUntilTheirNeedNoLongerFits) {
  PendingShapes shapes;
  shapes.insert(1, Res("cpus:2"));
  shapes.insert(2, Res("cpus:1"));
  shapes.insert(3, Res("cpus:2"));
  shapes.insert(4, Res("cpus:1"));
  shapes.insert(5, Res(""));  // needs nothing: fits even what is left when all is taken
  shapes.insert(6, Res("cpus:1"));
  // 2 + 1 leave 0.5: key 3 (2 cpus) and then 4, 6 (1 cpu) no longer fit; key 5 does.
  EXPECT_EQ(take_all(shapes, Res("cpus:3.5")), (std::vector<uint64_t>{1, 2, 5}));
  // A key refused is passed over; its shape's next key is still offered, and taken.
  std::vector<uint64_t> taken;
  shapes.first_fit(Res("cpus:3"), [&](uint64_t key) {
    if (key == 2) return false;
    taken.push_back(key);
    return true;
  });
  EXPECT_EQ(taken, (std::vector<uint64_t>{1, 4, 5}));
}

}  // namespace
}  // namespace mesosim
