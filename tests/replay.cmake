# Repeat it elsewhere (issue 13): bench --replay and experiment --replay of
# netns records, a vm record with another image refused, unknown formats
# refused.  No libvirtd, no guest image.
add_test(NAME e2e_replay
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_replay.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_replay PROPERTIES RUN_SERIAL TRUE
	LABELS "integration;bench" SKIP_RETURN_CODE 77 TIMEOUT 300)
