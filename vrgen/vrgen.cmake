# vrgen: traffic generator and sink, and the NDR/PDR search
# (docs/vrgen.md).  libvrbench holds everything but the CLI, so unit tests
# (and, if it ever wants to, the daemon) link the same code.  It links lib/
# for the bench params' limits and syntax (lib/benchparam.h), which the
# daemon and vrctl check too.
add_library(vrbench STATIC
	${CMAKE_CURRENT_LIST_DIR}/gen.c
	${CMAKE_CURRENT_LIST_DIR}/xsk.c
	${CMAKE_CURRENT_LIST_DIR}/jw.c
	${CMAKE_CURRENT_LIST_DIR}/cpuacct.c
	${CMAKE_CURRENT_LIST_DIR}/sink.c
	${CMAKE_CURRENT_LIST_DIR}/timeline.c
	${CMAKE_CURRENT_LIST_DIR}/search.c
	${CMAKE_CURRENT_LIST_DIR}/stats.c)
target_include_directories(vrbench PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(vrbench PUBLIC m vrouter)

add_executable(vrgen ${CMAKE_CURRENT_LIST_DIR}/vrgen.c
	${CMAKE_CURRENT_LIST_DIR}/vrgen_opts.c
	${CMAKE_CURRENT_LIST_DIR}/vrgen_trial.c
	${CMAKE_CURRENT_LIST_DIR}/vrgen_output.c)
target_link_libraries(vrgen PRIVATE vrbench Threads::Threads)
install(TARGETS vrgen DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS ${CMAKE_CURRENT_LIST_DIR}/gen-bench.sh
	DESTINATION ${CMAKE_INSTALL_DATADIR}/vrouterd/bench
	RENAME vrgen-bench.sh)
install(FILES ${CMAKE_SOURCE_DIR}/docs/vrgen.md
	DESTINATION ${CMAKE_INSTALL_DOCDIR})
