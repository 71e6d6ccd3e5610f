# The netns backend (issue 5, docs/netns-backend.md): topologies whose
# nodes are network namespaces.  No guest image and no libvirtd: the
# sandbox runs without one to prove it.
set(VR_IT ${CMAKE_CURRENT_SOURCE_DIR}/integration)

add_test(NAME e2e_netns_backend
	COMMAND ${VR_IT}/test_netns_backend.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_netns_backend PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 600)

# Tampered plan.json (issue 18, item 6): namespaces are deleted, adopted
# and cleaned up only when lo's alias carries their topology's tag; a plan
# naming anything outside "vr-NAME-" is not adopted.
add_test(NAME e2e_netns_tamper
	COMMAND ${VR_IT}/test_netns_tamper.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_netns_tamper PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 300)

# 200 start/stop cycles under 64 clients calling status, the daemon under
# ASan (sanitizer builds) or valgrind (VALGRIND=1): no leaked fd, bounded
# RSS, clean leak report, nothing left.
add_test(NAME soak_cycles
	COMMAND ${VR_IT}/test_cycles.sh ${CMAKE_BINARY_DIR})
set_tests_properties(soak_cycles PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;soak" SKIP_RETURN_CODE 77
	TIMEOUT 1800)

# The control plane with a running topology (issue 18): the hint of
# "exists" errors (`vrctl stop` for a running topology, `vrctl cleanup`
# for what a start that did not finish left), stop during a start, and
# vrctl --timeout against a long bench.
add_test(NAME e2e_control_netns
	COMMAND ${VR_IT}/test_control_netns.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_control_netns PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 300)

# vrctl list and status NAME against a daemon running netns topologies;
# topology from the daemon, then planned locally once it is gone.
add_test(NAME e2e_ctl_list
	COMMAND ${VR_IT}/test_ctl_list.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_ctl_list PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 300)

# A topology file's warnings reach start, status and adoption; a file that
# cannot forward is refused before anything is created (issue 18, item 8).
add_test(NAME e2e_topo_warnings
	COMMAND ${VR_IT}/test_topo_warnings.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_topo_warnings PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 300)

# vrctl capture (issue 16): a pcap of the datagrams sent through a netns
# VR, read back with tcpdump; bad link names refused with the valid ones.
add_test(NAME e2e_capture
	COMMAND ${VR_IT}/test_capture.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_capture PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 300)

# Topologies across hosts before the coordinator (issue 15): a plan that
# places a node or port on another host shows its placement but is
# refused by start, creating nothing; "host": "local" starts.
add_test(NAME e2e_hosts_refused
	COMMAND ${VR_IT}/test_hosts_refused.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_hosts_refused PROPERTIES
	RUN_SERIAL TRUE LABELS "integration;e2e" SKIP_RETURN_CODE 77
	TIMEOUT 300)
