# FindSuiteSparse: the SuiteSparse 5.x libraries Debian ships without CMake
# package files. Components: CHOLMOD UMFPACK AMD COLAMD CAMD CCOLAMD.
# Defines SuiteSparse::<component> and SuiteSparse::config imported targets.
find_path(SuiteSparse_INCLUDE_DIR SuiteSparse_config.h PATH_SUFFIXES suitesparse)
find_library(SuiteSparse_config_LIBRARY suitesparseconfig)
set(_sd_ss_required SuiteSparse_INCLUDE_DIR SuiteSparse_config_LIBRARY)
foreach(_comp IN LISTS SuiteSparse_FIND_COMPONENTS)
  string(TOLOWER "${_comp}" _lib)
  find_library(SuiteSparse_${_comp}_LIBRARY ${_lib})
  if(SuiteSparse_${_comp}_LIBRARY)
    set(SuiteSparse_${_comp}_FOUND TRUE)
  endif()
  if(SuiteSparse_FIND_REQUIRED_${_comp})
    list(APPEND _sd_ss_required SuiteSparse_${_comp}_LIBRARY)
  endif()
endforeach()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SuiteSparse REQUIRED_VARS ${_sd_ss_required} HANDLE_COMPONENTS)
if(SuiteSparse_FOUND)
  if(NOT TARGET SuiteSparse::config)
    add_library(SuiteSparse::config UNKNOWN IMPORTED)
    set_target_properties(SuiteSparse::config PROPERTIES
      IMPORTED_LOCATION "${SuiteSparse_config_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${SuiteSparse_INCLUDE_DIR}")
  endif()
  foreach(_comp IN LISTS SuiteSparse_FIND_COMPONENTS)
    if(SuiteSparse_${_comp}_FOUND AND NOT TARGET SuiteSparse::${_comp})
      add_library(SuiteSparse::${_comp} UNKNOWN IMPORTED)
      set_target_properties(SuiteSparse::${_comp} PROPERTIES
        IMPORTED_LOCATION "${SuiteSparse_${_comp}_LIBRARY}"
        INTERFACE_LINK_LIBRARIES SuiteSparse::config)
    endif()
  endforeach()
endif()
