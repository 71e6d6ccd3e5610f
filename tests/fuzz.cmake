# libFuzzer targets, built only with -DVR_FUZZ=ON and clang.  CI runs them
# through tests/fuzz/run.sh, not ctest.
if(VR_FUZZ)
	if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
		message(FATAL_ERROR "VR_FUZZ needs clang (CC=clang)")
	endif()
	# The request parser and the dispatcher, with stand-in handlers.
	add_executable(fuzz_request ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_request.c
		${CMAKE_SOURCE_DIR}/lib/proto.c ${CMAKE_SOURCE_DIR}/lib/util.c
		${CMAKE_SOURCE_DIR}/lib/log.c ${CMAKE_SOURCE_DIR}/daemon/dispatch.c)
	target_compile_options(fuzz_request PRIVATE
		-fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
		-fno-sanitize-recover=undefined)
	target_link_options(fuzz_request PRIVATE
		-fsanitize=fuzzer,address,undefined)
	target_link_libraries(fuzz_request PkgConfig::JSONC PkgConfig::EVENT)
endif()
