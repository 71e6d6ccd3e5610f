# Supervision (issue 6): restart adoption, libvirt events and reconnection,
# restart policy, watch, cleanup, autostart; sd_notify and the unit file.
add_test(NAME e2e_supervision
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_supervision.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_supervision PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)

# Adoption from domain metadata with stand-in domains (QEMU, no guest):
# a guest adopted before it reported ready is starting until it does; a
# tampered metadata plan cannot destroy another topology's domain or an
# untagged namespace (issue 18, items 13 and 6).
add_test(NAME e2e_adopt_domain
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_adopt_domain.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_adopt_domain PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 300)

add_test(NAME sd_notify
	COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_notify.py
		$<TARGET_FILE:vrouterd>)
set_tests_properties(sd_notify PROPERTIES LABELS "integration" TIMEOUT 60)

# systemd-analyze verify of the service (ExecStart pointing at the built
# binary) and its socket units, their sockets against the daemon's
# defaults, the sysusers.d entry.
find_program(VR_SYSTEMD_ANALYZE systemd-analyze)
if(VR_SYSTEMD_ANALYZE)
	add_test(NAME systemd_unit_verify
		COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/check_systemd_units.sh
			${CMAKE_SOURCE_DIR} $<TARGET_FILE:vrouterd>)
	set_tests_properties(systemd_unit_verify PROPERTIES LABELS "unit"
		SKIP_RETURN_CODE 77)
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

# vrouterd and vrgen under the unit's own restrictions (address families as
# a seccomp filter by afjail, capabilities, memlock), read from the unit.
add_executable(afjail ${CMAKE_CURRENT_SOURCE_DIR}/integration/afjail.c)
add_test(NAME e2e_unit_sandbox
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_unit_sandbox.sh
		${CMAKE_BINARY_DIR} $<TARGET_FILE:afjail>)
set_tests_properties(e2e_unit_sandbox PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e;bench" SKIP_RETURN_CODE 77
	TIMEOUT 300)

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
