// The programs' malloc is the one the build says (MESOSIM_MALLOC in the top CMakeLists.txt):
// linked is not enough, it must be what malloc() resolves to, or the speed it was chosen for
// is silently lost (e.g. a linker that drops a library no object calls into).

#include <dlfcn.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "mesosim/version.hpp"

namespace mesosim {
namespace {

TEST(ProgramMallocTest, MallocIsServedByTheConfiguredAllocator) {
  void* malloc_fn = ::dlsym(RTLD_DEFAULT, "malloc");
  ASSERT_NE(malloc_fn, nullptr);
  Dl_info info{};
  ASSERT_NE(::dladdr(malloc_fn, &info), 0);
  const std::string where = info.dli_fname ? info.dli_fname : "";
  if (std::string_view(kMalloc) == "jemalloc") {
    EXPECT_NE(where.find("jemalloc"), std::string::npos) << "malloc comes from " << where;
    // And blocks really come from it: jemalloc answers for their size.
    void* block = std::malloc(100);
    using UsableSize = size_t (*)(void*);
    auto usable = reinterpret_cast<UsableSize>(::dlsym(RTLD_DEFAULT, "malloc_usable_size"));
    ASSERT_NE(usable, nullptr);
    EXPECT_EQ(usable(block), 112u) << "jemalloc's size class for 100 bytes";
    std::free(block);
  } else {
    EXPECT_EQ(std::string_view(kMalloc), "system");
    EXPECT_EQ(where.find("jemalloc"), std::string::npos) << "malloc comes from " << where;
  }
}

}  // namespace
}  // namespace mesosim
