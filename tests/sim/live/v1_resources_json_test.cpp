#include <gtest/gtest.h>

#include "sim/live/v1_json.hpp"

namespace mesosim::live {
namespace {

using nlohmann::json;

Resources parse(std::string_view text) {
  Result<Resources> r = Resources::parse(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Resources{};
}

std::string error_of(std::string_view resources_json) {
  Result<Resources> r = resources_from_json(json::parse(resources_json), "resources");
  EXPECT_FALSE(r.ok()) << "decoded " << resources_json;
  return r.ok() ? "" : r.error().message;
}

const EncodeOptions kPost{ResourceFormat::kPostRefinement};

TEST(V1ResourcesJson, UnreservedResourcesAsMesosWritesThemToAFramework) {
  EXPECT_EQ(resources_to_json(parse("cpus:2;mem:1024;ports:[31000-32000]"), "web").dump(),
            R"([{"name":"cpus","type":"SCALAR","scalar":{"value":2.0},"role":"*",)"
            R"("allocation_info":{"role":"web"}},)"
            R"({"name":"mem","type":"SCALAR","scalar":{"value":1024.0},"role":"*",)"
            R"("allocation_info":{"role":"web"}},)"
            R"({"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]},)"
            R"("role":"*","allocation_info":{"role":"web"}}])");
}

TEST(V1ResourcesJson, PostRefinementFormatHasReservationsAndNoRole) {
  EXPECT_EQ(resources_to_json(parse("cpus:0.5"), "", kPost).dump(),
            R"([{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}}])");
  EXPECT_EQ(resources_to_json(parse("cpus(web){DYN:ops:team=a}:1"), "", kPost).dump(),
            R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1.0},"reservations":[)"
            R"({"type":"DYNAMIC","role":"web","principal":"ops",)"
            R"("labels":{"labels":[{"key":"team","value":"a"}]}}]}])");
  EXPECT_EQ(resources_to_json(parse("mem(ads):64"), "", kPost).dump(),
            R"([{"name":"mem","type":"SCALAR","scalar":{"value":64.0},)"
            R"("reservations":[{"type":"STATIC","role":"ads"}]}])");
}

TEST(V1ResourcesJson, PreRefinementFormatHasRoleAndDynamicReservation) {
  EXPECT_EQ(
      resources_to_json(parse("cpus(web){DYN:ops:team=a}:1"), "").dump(),
      R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1.0},"role":"web",)"
      R"("reservation":{"principal":"ops","labels":{"labels":[{"key":"team","value":"a"}]}}}])");
  EXPECT_EQ(resources_to_json(parse("cpus(web){DYN}:1"), "").dump(),
            R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1.0},"role":"web",)"
            R"("reservation":{}}])");
  EXPECT_EQ(resources_to_json(parse("mem(ads):64"), "").dump(),
            R"([{"name":"mem","type":"SCALAR","scalar":{"value":64.0},"role":"ads"}])");
}

TEST(V1ResourcesJson, RevocableIsAnEmptyObject) {
  EXPECT_EQ(resources_to_json(parse("cpus{REV}:0.25"), "r").dump(),
            R"([{"name":"cpus","type":"SCALAR","scalar":{"value":0.25},"role":"*",)"
            R"("allocation_info":{"role":"r"},"revocable":{}}])");
}

TEST(V1ResourcesJson, RoundTripsInBothFormats) {
  const Resources all = parse(
      "cpus:8;mem:16384.5;disk:100;gpus:1;ports:[31000-31005,32000-32000];cpus(ads):2;"
      "mem(web){DYN:ops:team=a,tier=b}:512;cpus(web){DYN}:1;cpus{REV}:0.125;"
      "ports(web){DYN:p}:[40000-40010]");
  for (EncodeOptions options : {EncodeOptions{}, kPost}) {
    json encoded = json::parse(resources_to_json(all, "web", options).dump());
    Result<Resources> decoded = resources_from_json(encoded, "resources");
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded.value(), all) << decoded.value().to_string();
  }
}

TEST(V1ResourcesJson, AcceptsNumbersAsStringsAndIgnoresUnknownKeysLikeMesos) {
  Result<Resources> r = resources_from_json(
      json::parse(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":"1.5"},"foo":[1]},
                      {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":"10","end":12}]}}])"),
      "resources");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), parse("cpus:1.5;ports:[10-12]"));
}

TEST(V1ResourcesJson, ErrorsNameThePathAndWhatWasExpected) {
  EXPECT_EQ(error_of(R"({"name":"cpus"})"),
            R"(expected an array at 'resources', found {"name":"cpus"})");
  EXPECT_EQ(error_of(R"([{"type":"SCALAR","scalar":{"value":1}}])"),
            "missing required field 'resources[0].name'");
  EXPECT_EQ(error_of(R"([{"name":"cpus","scalar":{"value":1}}])"),
            "missing required field 'resources[0].type'");
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":"x"}}])"),
            R"(expected a number at 'resources[0].scalar.value', found "x")");
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}])"),
            "expected a number in [0, 1e12] at 'resources[0].scalar.value', found -1");
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR"}])"),
            "missing required field 'resources[0].scalar'");
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":null}}])"),
            "expected a number at 'resources[0].scalar.value', found null");
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALARS","scalar":{"value":1}}])"),
            R"(expected "SCALAR", "RANGES" or "SET" at 'resources[0].type', found "SCALARS")");
  EXPECT_EQ(error_of(R"([{"name":"disks","type":"SET","set":{"item":["a"]}}])"),
            "'resources[0].type': SET resources are not supported by mesosim");
  EXPECT_EQ(
      error_of(R"([{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":5,"end":4}]}}])"),
      R"(expected 'end' >= 'begin' at 'resources[0].ranges.range[0]', found {"begin":5,"end":4})");
  EXPECT_EQ(
      error_of(R"([{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":-5,"end":4}]}}])"),
      "expected a non-negative integer at 'resources[0].ranges.range[0].begin', found -5");
  EXPECT_EQ(error_of(R"([{"name":"ports","type":"RANGES","ranges":{"range":{}}}])"),
            "expected an array at 'resources[0].ranges.range', found {}");
  EXPECT_EQ(error_of(R"([1])"), "expected an object at 'resources[0]', found 1");
}

TEST(V1ResourcesJson, ReservationErrors) {
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"a",
                         "reservations":[{"type":"STATIC","role":"a"}]}])"),
            "'resources[0]' has both 'role' and 'reservations'; expected one format");
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},
                         "reservations":[{"type":"STATIC","role":"a"},{"type":"DYNAMIC","role":"a/b"}]}])"),
            "refined reservations are not supported at 'resources[0].reservations': expected at "
            "most 1 entry, found 2");
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},
                         "reservations":[{"role":"a"}]}])"),
            "missing required field 'resources[0].reservations[0].type'");
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},
                         "reservations":[{"type":"DYNAMIC","role":"*"}]}])"),
            R"(expected a role other than "*" at 'resources[0].reservations[0].role', found "*")");
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},
                         "reservation":{"principal":"p"}}])"),
            R"('resources[0].reservation' needs a 'role' other than "*")");
  EXPECT_NE(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"a b"}])")
                .find("bad role at 'resources[0].role'"),
            std::string::npos);
  EXPECT_EQ(error_of(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"disk":{}}])"),
            "'resources[0].disk' is not supported by mesosim");
}

}  // namespace
}  // namespace mesosim::live
