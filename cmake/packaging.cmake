# Installing faultline (cmake --install) and packaging it as a Debian package (cpack -G DEB).
# Layout under the prefix (/usr in the .deb, /usr/local by default):
#   bin/faultline, bin/faultline-gui (when built)
#   share/faultline/faultline.schema.json          the scenario JSON Schema
#   share/faultline/binding.schema.json            live mode's binding JSON Schema
#   share/faultline/scenarios/*.json               the scenario library (beside its schema, so
#                                                  each file's "$schema" still resolves)
#   share/bash-completion/completions/faultline    bash completion
#   share/doc/faultline/                           README.md and docs/
include(GNUInstallDirs)

install(TARGETS faultline RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/scenarios/faultline.schema.json DESTINATION ${CMAKE_INSTALL_DATADIR}/faultline)
install(FILES ${CMAKE_SOURCE_DIR}/harness/live/binding.schema.json DESTINATION ${CMAKE_INSTALL_DATADIR}/faultline)
file(GLOB FAULTLINE_LIBRARY_SCENARIOS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/scenarios/*.json)
install(FILES ${FAULTLINE_LIBRARY_SCENARIOS} DESTINATION ${CMAKE_INSTALL_DATADIR}/faultline/scenarios)
install(FILES ${CMAKE_SOURCE_DIR}/install/faultline.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME faultline)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

set(CPACK_PACKAGE_NAME faultline)
set(CPACK_PACKAGE_VENDOR "faultline")
set(CPACK_PACKAGE_CONTACT "faultline maintainers <faultline@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "deterministic chaos and resilience testing for microservice architectures")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/faultline")
# The Boost and (with the GUI) GLFW/OpenGL libraries it links, as dpkg-shlibdeps finds them.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_GENERATOR DEB)
include(CPack)
