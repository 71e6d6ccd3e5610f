# ctlbench: control socket round trips and latency (vrgen/run-ctlbench.sh).
add_executable(ctlbench ${CMAKE_CURRENT_SOURCE_DIR}/ctlbench.c)
target_link_libraries(ctlbench vrouter Threads::Threads)
