# Finds the Debian packages seglog links against (cmake/install-deps.sh installs them).
# Shared with seglogConfig.cmake.in through SeglogFindLinkDeps.cmake so an installed seglog finds the same.
include(SeglogFindLinkDeps)
# Header-only, used privately by the library (the Store's topics.json): an installed seglog does not need it.
find_package(nlohmann_json 3 REQUIRED)
