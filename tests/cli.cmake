# vrctl's bash completion, sourced in bash and run on a few words (issue 16).
find_program(VR_BASH bash)
if(VR_BASH)
	add_test(NAME vrctl_completion
		COMMAND ${VR_BASH} ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_completion.sh
			$<TARGET_FILE:vrctl> ${CMAKE_SOURCE_DIR}/vrctl/completion.bash)
	set_tests_properties(vrctl_completion PROPERTIES LABELS unit
		SKIP_RETURN_CODE 77 TIMEOUT 60)
endif()

# Every long option of vrctl, vrouterd and vrgen is in its man page.
add_test(NAME man_options
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/check_man_options.sh
		${CMAKE_SOURCE_DIR})
set_tests_properties(man_options PROPERTIES LABELS unit)
