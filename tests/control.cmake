# Control plane (issue 2): protocol and host-facts unit tests, the control
# socket integration test.
foreach(t test_proto test_hostinfo)
	add_executable(${t} ${CMAKE_CURRENT_SOURCE_DIR}/unit/${t}.c)
	target_link_libraries(${t} vrouter)
	target_include_directories(${t} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
	add_test(NAME ${t} COMMAND ${t})
	set_tests_properties(${t} PROPERTIES LABELS "unit")
endforeach()

# docs/protocol.md lists every error code of lib/proto.h, with what to do.
add_test(NAME proto_error_docs
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/check_error_docs.sh
		${CMAKE_SOURCE_DIR})
set_tests_properties(proto_error_docs PROPERTIES LABELS "unit")

add_test(NAME control_integration
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_control.sh
		$<TARGET_FILE:vrouterd> $<TARGET_FILE:vrctl>)
set_tests_properties(control_integration PROPERTIES
	LABELS "integration;release" SKIP_RETURN_CODE 77 TIMEOUT 300)

# The same run with vrouterd under valgrind memcheck: no error, no leak.
find_program(VR_VALGRIND valgrind)
if(VR_VALGRIND AND NOT VR_SANITIZE)
	add_test(NAME control_integration_valgrind
		COMMAND ${CMAKE_COMMAND} -E env VALGRIND=1
			${CMAKE_CURRENT_SOURCE_DIR}/integration/test_control.sh
			$<TARGET_FILE:vrouterd> $<TARGET_FILE:vrctl>)
	set_tests_properties(control_integration_valgrind PROPERTIES
		LABELS "integration;valgrind" SKIP_RETURN_CODE 77 TIMEOUT 900
		RUN_SERIAL TRUE)
endif()

# The read-only socket and socket activation (issue 16).
add_test(NAME control_readonly
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_control_ro.sh
		$<TARGET_FILE:vrouterd> $<TARGET_FILE:vrctl>)
set_tests_properties(control_readonly PROPERTIES
	LABELS "integration" SKIP_RETURN_CODE 77 TIMEOUT 300)

# The daemon-to-daemon transport and `vrctl hosts` (issue 15): two
# vrouterds in one sandbox, a shim standing in for ssh.
add_test(NAME hosts
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_hosts.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(hosts PROPERTIES
	LABELS "integration" SKIP_RETURN_CODE 77 TIMEOUT 300)

# The coordinator of a topology across hosts (issue 15, daemon/coord.c)
# against two stand-in peers (fakepeer.py): parts started at once,
# rollback when one fails, stop --all.  netns backend, one vrouterd.
add_test(NAME coord_hosts
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_coord_hosts.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(coord_hosts PROPERTIES
	LABELS "integration" SKIP_RETURN_CODE 77 TIMEOUT 300)
