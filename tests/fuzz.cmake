# libFuzzer targets, built only with -DVR_FUZZ=ON and clang.  CI runs them
# through tests/fuzz/run.sh, not ctest.
if(VR_FUZZ)
	if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
		message(FATAL_ERROR "VR_FUZZ needs clang (CC=clang)")
	endif()
	# The request parser and the dispatcher, with stand-in handlers.
	add_executable(fuzz_request ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_request.c
		${CMAKE_SOURCE_DIR}/lib/proto.c ${CMAKE_SOURCE_DIR}/lib/proto_rpc.c
		${CMAKE_SOURCE_DIR}/lib/benchparam.c
		${CMAKE_SOURCE_DIR}/lib/util.c ${CMAKE_SOURCE_DIR}/lib/jtext.c
		${CMAKE_SOURCE_DIR}/lib/log.c ${CMAKE_SOURCE_DIR}/daemon/dispatch.c)
	target_compile_options(fuzz_request PRIVATE
		-fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
		-fno-sanitize-recover=undefined)
	target_link_options(fuzz_request PRIVATE
		-fsanitize=fuzzer,address,undefined)
	target_link_libraries(fuzz_request PkgConfig::JSONC PkgConfig::EVENT)
	target_include_directories(fuzz_request PRIVATE
		${CMAKE_SOURCE_DIR}/lib ${CMAKE_SOURCE_DIR}/daemon)

	# Topology files (lib/topo_file.c and the plan builder).
	file(GLOB VR_FUZZ_LIB_SRC ${CMAKE_SOURCE_DIR}/lib/*.c)
	add_executable(fuzz_topofile
		${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_topofile.c ${VR_FUZZ_LIB_SRC})
	target_compile_options(fuzz_topofile PRIVATE
		-fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
		-fno-sanitize-recover=undefined)
	target_link_options(fuzz_topofile PRIVATE
		-fsanitize=fuzzer,address,undefined)
	target_link_libraries(fuzz_topofile PkgConfig::JSONC)
	target_include_directories(fuzz_topofile PRIVATE ${CMAKE_SOURCE_DIR}/lib)
endif()

# The CI fuzz run (ctest -L fuzz): builds the targets with clang in their own
# directory and fuzzes the request parser for FUZZ_SECONDS (default 60).
find_program(VR_CLANG clang)
if(VR_CLANG AND NOT VR_SANITIZE AND NOT VR_FUZZ)
	foreach(t request topofile)
		add_test(NAME fuzz_${t}_run
			COMMAND ${CMAKE_COMMAND} -E env
				FUZZ_BUILD_DIR=${CMAKE_BINARY_DIR}/fuzz
				sh -c "exec ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run.sh \${FUZZ_SECONDS:-60} fuzz_${t}")
		set_tests_properties(fuzz_${t}_run PROPERTIES LABELS "fuzz"
			TIMEOUT 900 RUN_SERIAL TRUE)
	endforeach()
endif()
