# install() rules and the CMake package config for find_package(seglog).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS seglog EXPORT seglogTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/seglog DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        PATTERN "*.in" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/include/seglog/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/seglog)
install(EXPORT seglogTargets NAMESPACE seglog:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/seglog)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/seglogConfig.cmake.in
  ${PROJECT_BINARY_DIR}/seglogConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/seglog)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/seglogConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/seglogConfig.cmake
  ${PROJECT_BINARY_DIR}/seglogConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/SeglogFindLinkDeps.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/seglog)
