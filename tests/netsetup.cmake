# netsetup against real netlink: needs root, runs in namespaces of its own.
add_executable(netsetup_test ${CMAKE_CURRENT_LIST_DIR}/integration/netsetup_test.c)
target_include_directories(netsetup_test PRIVATE ${CMAKE_CURRENT_LIST_DIR}/unit)
target_link_libraries(netsetup_test netsetup Threads::Threads)
add_test(NAME netsetup
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/integration/test_netsetup.sh
		$<TARGET_FILE:netsetup_test>)
set_tests_properties(netsetup PROPERTIES LABELS integration
	SKIP_RETURN_CODE 77 TIMEOUT 180)

# The cross-host primitive (VXLAN between two namespaces as two hosts).
add_executable(netsetup_vxlan_test
	${CMAKE_CURRENT_LIST_DIR}/integration/netsetup_vxlan_test.c)
target_include_directories(netsetup_vxlan_test PRIVATE
	${CMAKE_CURRENT_LIST_DIR}/unit)
target_link_libraries(netsetup_vxlan_test netsetup)
# Inside the sandbox, which also checks that no link or namespace is left.
add_test(NAME netsetup_vxlan
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/integration/sandbox.sh --name nsvxlan --
		${CMAKE_CURRENT_LIST_DIR}/integration/test_netsetup.sh
		$<TARGET_FILE:netsetup_vxlan_test>)
set_tests_properties(netsetup_vxlan PROPERTIES LABELS integration
	SKIP_RETURN_CODE 77 TIMEOUT 120)
