// seglog::Mutex has one layout whether or not NDEBUG is defined: an application built in Debug links
// against a Release seglog, and public types (Topic) hold a Mutex before fields their inline accessors read.
// Its owner tracking (AssertHeld) only changes behaviour. Only sizes are compared here: the two files see
// different inline bodies of Mutex's methods, so neither calls one.
#undef NDEBUG
#include <catch2/catch.hpp>
#include <cstddef>

#include "seglog/mutex.h"
#include "seglog/topic.h"

namespace seglog::test {
size_t MutexSizeWithNdebug();
size_t TopicSizeWithNdebug();

namespace {

TEST_CASE("Mutex and the public types holding one have the same layout with and without NDEBUG", "[mutex]") {
  CHECK(sizeof(Mutex) == MutexSizeWithNdebug());
  CHECK(sizeof(Topic) == TopicSizeWithNdebug());
}

}  // namespace
}  // namespace seglog::test
