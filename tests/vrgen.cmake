# vrgen (vrgen/): unit tests of the generator, the sink's accounting and
# the NDR/PDR search; an end-to-end test through a netns router.
foreach(t test_gen test_sink test_search test_jw test_cpuacct)
	add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/unit/${t}.c)
	target_link_libraries(${t} PRIVATE vrbench)
	target_include_directories(${t} PRIVATE ${CMAKE_CURRENT_LIST_DIR}/unit)
	add_test(NAME ${t} COMMAND ${t})
	set_tests_properties(${t} PROPERTIES LABELS unit)
endforeach()

add_test(NAME e2e_vrgen
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/integration/sandbox.sh --name vrgen --
		${CMAKE_CURRENT_LIST_DIR}/integration/test_vrgen.sh
		$<TARGET_FILE:vrgen>)
set_tests_properties(e2e_vrgen PROPERTIES LABELS "integration;bench;release"
	RUN_SERIAL TRUE SKIP_RETURN_CODE 77 TIMEOUT 300)

# The timeline a blackout bench uses, against a 300 ms link outage the
# test causes itself (ARGS: vrgen, rounds).
add_test(NAME e2e_timeline
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/integration/sandbox.sh --name timeline --
		${CMAKE_CURRENT_LIST_DIR}/integration/test_timeline.sh
		$<TARGET_FILE:vrgen>)
set_tests_properties(e2e_timeline PROPERTIES LABELS "integration;bench"
	RUN_SERIAL TRUE SKIP_RETURN_CODE 77 TIMEOUT 120)
