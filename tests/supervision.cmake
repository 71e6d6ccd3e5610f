# Supervision (issue 6): restart adoption, libvirt events and reconnection,
# restart policy, watch, cleanup, autostart; sd_notify and the unit file.
add_test(NAME e2e_supervision
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_supervision.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_supervision PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)

add_test(NAME sd_notify
	COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_notify.py
		$<TARGET_FILE:vrouterd>)
set_tests_properties(sd_notify PROPERTIES LABELS "integration" TIMEOUT 60)

# systemd-analyze verify, with ExecStart pointing at the built binary.
find_program(VR_SYSTEMD_ANALYZE systemd-analyze)
if(VR_SYSTEMD_ANALYZE)
	add_test(NAME systemd_unit_verify
		COMMAND sh -c "d=$(mktemp -d) && sed 's|/usr/sbin/vrouterd|$<TARGET_FILE:vrouterd>|' ${CMAKE_SOURCE_DIR}/systemd/vrouterd.service >$d/vrouterd.service && systemd-analyze verify --man=no $d/vrouterd.service; rc=$?; rm -rf $d; exit $rc")
	set_tests_properties(systemd_unit_verify PROPERTIES LABELS "unit"
		FAIL_REGULAR_EXPRESSION "vrouterd.service:")
endif()

add_test(NAME e2e_faults
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_faults.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_faults PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)

add_executable(test_sha256 ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_sha256.c)
target_link_libraries(test_sha256 vrouter)
target_include_directories(test_sha256 PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_sha256 COMMAND test_sha256)
set_tests_properties(test_sha256 PROPERTIES LABELS "unit")

# status answers from kept state while libvirtd is frozen (issue 16).
add_test(NAME e2e_status_libvirt
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_status_libvirt.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_status_libvirt PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 600)

# stop destroys a topology's domains at once (issue 16).
add_test(NAME e2e_stop_parallel
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_stop_parallel.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_stop_parallel PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)
