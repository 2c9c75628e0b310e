// The sizes of seglog's public lock-holding types as a translation unit built with NDEBUG sees them
// (mutex_layout_test.cc compares them with its own view, built without NDEBUG).
#ifndef NDEBUG
#define NDEBUG 1
#endif
#include <cstddef>

#include "seglog/mutex.h"
#include "seglog/topic.h"

namespace seglog::test {
size_t MutexSizeWithNdebug() { return sizeof(Mutex); }
size_t TopicSizeWithNdebug() { return sizeof(Topic); }
}  // namespace seglog::test
