# The netns backend (issue 5, docs/netns-backend.md): topologies whose
# nodes are network namespaces.  No guest image and no libvirtd: the
# sandbox runs without one to prove it.
set(VR_IT ${CMAKE_CURRENT_SOURCE_DIR}/integration)

add_test(NAME e2e_netns_backend
	COMMAND ${VR_IT}/test_netns_backend.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_netns_backend PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 600)

# 200 start/stop cycles under 64 clients calling status, the daemon under
# ASan (sanitizer builds) or valgrind (VALGRIND=1): no leaked fd, bounded
# RSS, clean leak report, nothing left.
add_test(NAME soak_cycles
	COMMAND ${VR_IT}/test_cycles.sh ${CMAKE_BINARY_DIR})
set_tests_properties(soak_cycles PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;soak" SKIP_RETURN_CODE 77
	TIMEOUT 1800)

# vrctl capture (issue 16): a pcap of the datagrams sent through a netns
# VR, read back with tcpdump; bad link names refused with the valid ones.
add_test(NAME e2e_capture
	COMMAND ${VR_IT}/test_capture.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_capture PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 300)
