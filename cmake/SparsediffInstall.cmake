# install() rules and the package configuration that lets users write
#   find_package(sparsediff REQUIRED)
#   target_link_libraries(app PRIVATE sparsediff::sparsediff)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
set(SPARSEDIFF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/sparsediff)

install(TARGETS sparsediff EXPORT sparsediffTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/sparsediff DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT sparsediffTargets NAMESPACE sparsediff:: DESTINATION ${SPARSEDIFF_CMAKE_DIR})
configure_package_config_file(cmake/sparsediffConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/sparsediffConfig.cmake
  INSTALL_DESTINATION ${SPARSEDIFF_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/sparsediffConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/sparsediffConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/sparsediffConfigVersion.cmake
  cmake/FindSuiteSparse.cmake cmake/FindColPack.cmake
  DESTINATION ${SPARSEDIFF_CMAKE_DIR})
if(TARGET sparsediff_cli)
  install(TARGETS sparsediff_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
