// Catch2's implementation, compiled once into seglog_test_support. main() lives in catch_main.cc, so tools
// that use the test helpers but have their own main() can link the support library too.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

namespace seglog::test {
int RunCatch(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
}  // namespace seglog::test
