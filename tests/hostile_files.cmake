# Hostile files (issue 18, items 1, 2, 5, 7; docs/security.md): paths a peer
# names, a second daemon on the state directory, links and odd files in it.
# A private libvirtd (the console log); no guest image needed.
add_test(NAME e2e_hostile_files
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_hostile_files.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_hostile_files PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 600)

# The state directory module itself (no root needed).
add_executable(test_statedir ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_statedir.c)
target_link_libraries(test_statedir PRIVATE vrouterd_core)
target_include_directories(test_statedir PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_statedir COMMAND test_statedir)
set_tests_properties(test_statedir PROPERTIES LABELS unit)

# The configuration file read by jtext (no key twice, no NUL, no trailing
# text).
add_executable(test_configfile
	${CMAKE_CURRENT_SOURCE_DIR}/unit/test_configfile.c)
target_link_libraries(test_configfile PRIVATE vrouterd_core)
target_include_directories(test_configfile PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_configfile COMMAND test_configfile)
set_tests_properties(test_configfile PROPERTIES LABELS unit)

# The keys of other hosts (issue 15): hosts, host_name, ssh_command,
# peer_timeout; each refusal names its key down to the entry.
add_executable(test_config_hosts
	${CMAKE_CURRENT_SOURCE_DIR}/unit/test_config_hosts.c)
target_link_libraries(test_config_hosts PRIVATE vrouterd_core)
target_include_directories(test_config_hosts PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_config_hosts COMMAND test_config_hosts)
set_tests_properties(test_config_hosts PROPERTIES LABELS unit)
