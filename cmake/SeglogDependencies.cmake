# Finds the Debian packages seglog links against (cmake/install-deps.sh installs them).
# Shared with seglogConfig.cmake.in through SeglogFindLinkDeps.cmake so an installed seglog finds the same.
include(SeglogFindLinkDeps)
