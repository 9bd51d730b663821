// The Accept-header rule of the scheduler API (which event stream forms a client takes).

#include <gtest/gtest.h>

#include "sim/live/scheduler_api.hpp"

namespace mesosim::live {
namespace {

TEST(AcceptsMediaType, AbsentHeaderAcceptsEverything) {
  EXPECT_TRUE(accepts_media_type(std::nullopt, "application/json"));
}

TEST(AcceptsMediaType, ExactTypesWildcardsAndParameters) {
  EXPECT_TRUE(accepts_media_type("application/json", "application/json"));
  EXPECT_TRUE(accepts_media_type("Application/JSON", "application/json"));
  EXPECT_TRUE(accepts_media_type("*/*", "application/json"));
  EXPECT_TRUE(accepts_media_type("application/*", "application/json"));
  EXPECT_TRUE(accepts_media_type("text/html, application/json;q=0.9", "application/json"));
  EXPECT_TRUE(accepts_media_type("application/json; q=0.5", "application/json"));
  EXPECT_FALSE(accepts_media_type("text/html", "application/json"));
  EXPECT_FALSE(accepts_media_type("text/*", "application/json"));
  EXPECT_FALSE(accepts_media_type("application/recordio", "application/json"));
  EXPECT_FALSE(accepts_media_type("application/jsonx", "application/json"));
}

TEST(AcceptsMediaType, QualityZeroMeansNotAcceptable) {
  EXPECT_FALSE(accepts_media_type("application/json;q=0", "application/json"));
  EXPECT_FALSE(accepts_media_type("application/json;q=0.0, text/html", "application/json"));
  EXPECT_TRUE(accepts_media_type("application/json;q=0.1", "application/json"));
}

}  // namespace
}  // namespace mesosim::live
