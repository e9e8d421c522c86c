# FindColPack: ColPack's headers and library (Debian's libcolpack-dev).
# Defines the imported target ColPack::ColPack.
find_path(ColPack_INCLUDE_DIR ColPackHeaders.h PATH_SUFFIXES ColPack)
find_library(ColPack_LIBRARY ColPack)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(ColPack REQUIRED_VARS ColPack_LIBRARY ColPack_INCLUDE_DIR)
if(ColPack_FOUND AND NOT TARGET ColPack::ColPack)
  add_library(ColPack::ColPack UNKNOWN IMPORTED)
  set_target_properties(ColPack::ColPack PROPERTIES
    IMPORTED_LOCATION "${ColPack_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${ColPack_INCLUDE_DIR}")
endif()
