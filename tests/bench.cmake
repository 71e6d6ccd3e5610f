# vrctl bench / bench compare / experiment (docs/bench.md) against a fake
# vrouterd (tests/integration/fakebench.py): no root, no libvirt, so it is a
# unit test.  The record check, check_experiment.py, is shared with the
# end-to-end bench tests.
add_test(NAME bench_cli
	COMMAND ${CMAKE_CURRENT_LIST_DIR}/integration/test_bench_cli.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(bench_cli PROPERTIES LABELS "unit;bench"
	SKIP_RETURN_CODE 77 TIMEOUT 120 DEPENDS vrctl)

# The whole measurement path against real topologies (TCG and netns).
add_test(NAME e2e_bench
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_bench.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_bench PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e;bench;release" SKIP_RETURN_CODE 77 TIMEOUT 1200)

# The bench params against a running netns topology (issue 18 items 4, 12,
# 13): refused cases never start vrgen, a 300-rate sweep is refused up
# front, a 1 pps sweep records 1 pps.  No libvirtd, no guest image.
add_test(NAME e2e_bench_params
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_bench_params.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_bench_params PROPERTIES RUN_SERIAL TRUE
	LABELS "integration;bench" SKIP_RETURN_CODE 77 TIMEOUT 300)

# Repetitions and confidence (issue 13): bench --repeat 3 on a netns
# topology (points with n=3 and CIs) and an experiment with repeat 2
# (seeded interleaved order, comparison with Welch's test).  A few seconds
# of traffic; no libvirtd, no guest image.
add_test(NAME e2e_bench_repeat
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_bench_repeat.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_bench_repeat PROPERTIES RUN_SERIAL TRUE
	LABELS "integration;bench" SKIP_RETURN_CODE 77 TIMEOUT 300)

# Latency under load and per-second reports (issue 13): an NDR search with
# --latency-at records latency_at rows with histograms; a 3 s sweep trial
# has 3 intervals.  netns only: no libvirtd, no guest image.
add_test(NAME e2e_bench_latency
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_bench_latency.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_bench_latency PROPERTIES RUN_SERIAL TRUE
	LABELS "integration;bench" SKIP_RETURN_CODE 77 TIMEOUT 300)

# What the CPUs did during each trial (issue 13): per-CPU splits, the
# router's threads, generator and sink, derived figures, in the record and
# in vrctl bench's text.  netns: no libvirtd, no guest image.
add_test(NAME e2e_bench_cpu
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_bench_cpu.sh
		${CMAKE_BINARY_DIR} netns)
set_tests_properties(e2e_bench_cpu PROPERTIES RUN_SERIAL TRUE
	LABELS "integration;bench" SKIP_RETURN_CODE 77 TIMEOUT 300)
# the same against a TCG guest: vCPU and emulator threads
add_test(NAME e2e_bench_cpu_vm
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_bench_cpu.sh
		${CMAKE_BINARY_DIR} vm)
set_tests_properties(e2e_bench_cpu_vm PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e;bench" SKIP_RETURN_CODE 77 TIMEOUT 600)

# A timeline (mode timeline: the blackout measurement) against a netns
# topology whose egress link the test takes down for 300 ms; the record's
# timeline and marks, the text, the figure.  No libvirtd, no guest image.
add_test(NAME e2e_bench_timeline
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_bench_timeline.sh
		${CMAKE_BINARY_DIR})
set_tests_properties(e2e_bench_timeline PROPERTIES RUN_SERIAL TRUE
	LABELS "integration;bench" SKIP_RETURN_CODE 77 TIMEOUT 300)
