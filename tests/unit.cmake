# Unit tests: pure library code, no root, label "unit" (ctest -L unit).
# Golden files live in tests/golden; run a test with VR_UPDATE_GOLDEN=1 to
# rewrite the ones it checks, then review the diff.
set(VR_GOLDEN_DIR ${CMAKE_SOURCE_DIR}/tests/golden)

function(vr_unit_test name)
	add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/unit/${name}.c)
	target_link_libraries(${name} PRIVATE vrouter)
	target_include_directories(${name} PRIVATE
		${CMAKE_CURRENT_SOURCE_DIR}/unit)
	target_compile_definitions(${name} PRIVATE
		GOLDEN_DIR="${VR_GOLDEN_DIR}")
	add_test(NAME ${name} COMMAND ${name})
	set_tests_properties(${name} PROPERTIES LABELS unit)
endfunction()

vr_unit_test(test_pin)
# The CPU topology from synthetic sysfs trees, and the planner with it.
vr_unit_test(test_pintopo)
vr_unit_test(test_topo)
# The --hugepages check against fake /proc and /sys trees.
vr_unit_test(test_hugepages)
target_compile_definitions(test_hugepages PRIVATE
	TOPOLOGY_DIR="${CMAKE_SOURCE_DIR}/topologies")

# What each kind of name allows (lib/names.c), one table of cases.
vr_unit_test(test_names)
# Which host holds what (lib/topo_hosts.c, issue 15): placement, VNIs,
# MTUs, the "host" keys and the daemon's refusal of other hosts.
vr_unit_test(test_topo_hosts)
set_tests_properties(test_topo_hosts PROPERTIES
	ENVIRONMENT "VR_TOPOLOGY_PATH=${CMAKE_SOURCE_DIR}/topologies")
vr_unit_test(test_domxml)
vr_unit_test(test_fileio)
vr_unit_test(test_log)
# Repetitions and confidence: statistics, tests, run order (lib/summary.c).
vr_unit_test(test_summary)
# The bench params' rules: one table of cases (shared with test_bench_cli.sh
# and test_control.sh) and the numbers the docs quote.
# SCHED_DEADLINE "RUNTIME/PERIOD" params (lib/dlparam.c) and where they
# are refused (issue 14).
vr_unit_test(test_dlparam)
vr_unit_test(test_benchparam)
target_compile_definitions(test_benchparam PRIVATE
	CASES_FILE="${CMAKE_CURRENT_SOURCE_DIR}/bench_params.json"
	DOCS_DIR="${CMAKE_SOURCE_DIR}/docs")
vr_unit_test(test_capture)
# The guest's per-packet MSR balancer (images/guest/vr-lb.c), its choice
# and batch steps on the host (issue 17).
vr_unit_test(test_vrlb)
set_tests_properties(test_capture PROPERTIES
	ENVIRONMENT "VR_TOPOLOGY_PATH=${CMAKE_SOURCE_DIR}/topologies")

# The golden domain XML must also satisfy libvirt's own schema.
find_program(VIRT_XML_VALIDATE virt-xml-validate)
if(VIRT_XML_VALIDATE)
	file(GLOB VR_GOLDEN_DOMXML CONFIGURE_DEPENDS
		${VR_GOLDEN_DIR}/domxml-*.xml)
	foreach(f ${VR_GOLDEN_DOMXML})
		get_filename_component(base ${f} NAME_WE)
		add_test(NAME schema_${base}
			COMMAND ${VIRT_XML_VALIDATE} ${f} domain)
		set_tests_properties(schema_${base} PROPERTIES LABELS unit)
	endforeach()
else()
	message(STATUS "virt-xml-validate not found: golden domain XML "
		"is not checked against libvirt's schema")
endif()

# Topology files (issue 4): the built-in files on a fixed fake host against
# golden plans and `vrctl topology` text (vrctl/show_plan.c is compiled in),
# and every tests/topologies/bad/NAME.json against NAME.err.  The search
# path is pinned to the source tree so /etc/vrouterd/topologies cannot
# change the result.
add_executable(test_topofile ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_topofile.c
	${CMAKE_SOURCE_DIR}/vrctl/show_plan.c ${CMAKE_SOURCE_DIR}/vrctl/jget.c)
target_link_libraries(test_topofile PRIVATE vrouter)
target_include_directories(test_topofile PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/vrctl)
target_compile_definitions(test_topofile PRIVATE
	GOLDEN_DIR="${VR_GOLDEN_DIR}"
	BAD_DIR="${CMAKE_CURRENT_SOURCE_DIR}/topologies/bad")
add_test(NAME test_topofile COMMAND test_topofile)
set_tests_properties(test_topofile test_topo PROPERTIES LABELS unit
	ENVIRONMENT "VR_TOPOLOGY_PATH=${CMAKE_SOURCE_DIR}/topologies")

# Thread discovery on the test's own threads (daemon/threads.c).
add_executable(test_threads ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_threads.c)
target_link_libraries(test_threads PRIVATE vrouterd_core)
target_include_directories(test_threads PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_threads COMMAND test_threads)
set_tests_properties(test_threads PROPERTIES LABELS unit)

# Exclusive cpusets for SCHED_DEADLINE (daemon/cpuset.c) against fake v1
# and v2 cgroup trees: what is written and what is restored.
add_executable(test_cpuset ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_cpuset.c)
target_link_libraries(test_cpuset PRIVATE vrouterd_core)
target_include_directories(test_cpuset PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_cpuset COMMAND test_cpuset)
set_tests_properties(test_cpuset PROPERTIES LABELS unit)

# The node-kind table: every backend has a kind, every kind every hook.
add_executable(test_nodekind ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_nodekind.c)
target_link_libraries(test_nodekind PRIVATE vrouterd_core)
target_include_directories(test_nodekind PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_nodekind COMMAND test_nodekind)
set_tests_properties(test_nodekind PROPERTIES LABELS unit)

# Readiness read incrementally from a console log (daemon/kind_vm.c).
# What status reads back from the live domain XML (issue 14).
add_executable(test_vmlive ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_vmlive.c)
target_link_libraries(test_vmlive PRIVATE vrouterd_core)
target_include_directories(test_vmlive PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/daemon)
target_compile_definitions(test_vmlive PRIVATE GOLDEN_DIR="${VR_GOLDEN_DIR}")
add_test(NAME test_vmlive COMMAND test_vmlive)
set_tests_properties(test_vmlive PROPERTIES LABELS unit)

add_executable(test_console_scan
	${CMAKE_CURRENT_SOURCE_DIR}/unit/test_console_scan.c)
target_link_libraries(test_console_scan PRIVATE vrouterd_core)
target_include_directories(test_console_scan PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_console_scan COMMAND test_console_scan)
set_tests_properties(test_console_scan PROPERTIES LABELS unit)

# `vrctl status` text for a canned status (vrctl/show_status.c compiled in).
add_executable(test_show_status
	${CMAKE_CURRENT_SOURCE_DIR}/unit/test_show_status.c
	${CMAKE_SOURCE_DIR}/vrctl/show_status.c ${CMAKE_SOURCE_DIR}/vrctl/jget.c)
target_link_libraries(test_show_status PRIVATE vrouter PkgConfig::JSONC)
target_include_directories(test_show_status PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/vrctl)
target_compile_definitions(test_show_status PRIVATE
	GOLDEN_DIR="${VR_GOLDEN_DIR}")
add_test(NAME test_show_status COMMAND test_show_status)
set_tests_properties(test_show_status PROPERTIES LABELS unit)

# `vrctl list` rows and table from a canned status (vrctl/show_list.c).
add_executable(test_show_list
	${CMAKE_CURRENT_SOURCE_DIR}/unit/test_show_list.c
	${CMAKE_SOURCE_DIR}/vrctl/show_list.c
	${CMAKE_SOURCE_DIR}/vrctl/show_status.c ${CMAKE_SOURCE_DIR}/vrctl/jget.c)
target_link_libraries(test_show_list PRIVATE vrouter PkgConfig::JSONC)
target_include_directories(test_show_list PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/vrctl)
target_compile_definitions(test_show_list PRIVATE
	GOLDEN_DIR="${VR_GOLDEN_DIR}")
add_test(NAME test_show_list COMMAND test_show_list)
set_tests_properties(test_show_list PROPERTIES LABELS unit)

# vrctl without a daemon and without root: `topology` planned locally
# (--host-cpus against the golden plans), experiment --dry-run --json,
# exit statuses (tests/unit/vrctl_offline.sh).
add_test(NAME vrctl_offline
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/vrctl_offline.sh
	$<TARGET_FILE:vrctl> ${VR_GOLDEN_DIR} ${CMAKE_SOURCE_DIR}/experiments)
set_tests_properties(vrctl_offline PROPERTIES LABELS unit
	ENVIRONMENT "VR_TOPOLOGY_PATH=${CMAKE_SOURCE_DIR}/topologies")

# vrctl and hostile files and answers (issue 18, items 9 and 11): no root,
# no daemon (a fake one in python answers with control characters).
add_test(NAME vrctl_files
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_vrctl_files.sh
		$<TARGET_FILE:vrctl> $<TARGET_FILE:vrouterd>)
set_tests_properties(vrctl_files PROPERTIES LABELS unit TIMEOUT 60)

# The files of a bench run and an experiment (vrctl/figures.c, vrctl/csv.c):
# CSV and gnuplot scripts from synthetic records (tests/unit/records)
# against golden files; the figures in SVG, PDF and PNG when gnuplot is
# installed.
add_executable(test_plot ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_plot.c
	${CMAKE_SOURCE_DIR}/vrctl/figures.c ${CMAKE_SOURCE_DIR}/vrctl/csv.c
	${CMAKE_SOURCE_DIR}/vrctl/run_desc.c
	${CMAKE_SOURCE_DIR}/vrctl/jget.c)
target_link_libraries(test_plot PRIVATE vrouter PkgConfig::JSONC)
target_include_directories(test_plot PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/vrctl)
target_compile_definitions(test_plot PRIVATE
	GOLDEN_DIR="${VR_GOLDEN_DIR}"
	RECORDS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/unit/records")
add_test(NAME test_plot COMMAND test_plot)
set_tests_properties(test_plot PROPERTIES LABELS unit)

# The JSON Schemas of docs/schemas: the synthetic records (formats 1 and
# 2) are valid, each of tests/unit/records/bad/ is not
# (check_experiment.py --record; python3-jsonschema).
add_test(NAME record_schemas COMMAND sh -c "\
python3 '${CMAKE_CURRENT_SOURCE_DIR}/integration/check_experiment.py' \
--record '${CMAKE_CURRENT_SOURCE_DIR}'/unit/records/*.json || exit 1; \
for f in '${CMAKE_CURRENT_SOURCE_DIR}'/unit/records/bad/*.json; do \
python3 '${CMAKE_CURRENT_SOURCE_DIR}/integration/check_experiment.py' \
--record \"$f\" && { echo \"$f: valid, should not be\"; exit 1; }; \
done; exit 0")
set_tests_properties(record_schemas PROPERTIES LABELS unit)

# Every field of the record's schema is one vrctl replay knows.
add_test(NAME check_replay_keys
	COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/unit/check_replay_keys.py
	${CMAKE_SOURCE_DIR})
set_tests_properties(check_replay_keys PROPERTIES LABELS unit)

# Real port NICs (IRQ affinity through a fake /sys + /proc tree) and the
# vhost_net zero-copy check (issue 14, daemon/realport.c, vhostnet.c).
add_executable(test_realport ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_realport.c)
target_link_libraries(test_realport PRIVATE vrouterd_core)
target_include_directories(test_realport PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/daemon)
add_test(NAME test_realport COMMAND test_realport)
set_tests_properties(test_realport PROPERTIES LABELS unit)

# Every method has one name and one handler, tables indexed by its enum
# (lib/proto.c, daemon/dispatch.c); no method named by string elsewhere.
add_executable(test_dispatch ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_dispatch.c)
target_link_libraries(test_dispatch PRIVATE vrouterd_core)
target_include_directories(test_dispatch PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_dispatch COMMAND test_dispatch)
add_test(NAME check_method_names
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/check_method_names.sh
	${CMAKE_SOURCE_DIR})
set_tests_properties(test_dispatch check_method_names PROPERTIES LABELS unit)

# One host's part of a topology across hosts (daemon/part.c, issue 15).
add_executable(test_part ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_part.c)
target_link_libraries(test_part PRIVATE vrouterd_core)
target_include_directories(test_part PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/daemon)
add_test(NAME test_part COMMAND test_part)
set_tests_properties(test_part PROPERTIES LABELS unit)

# The records of an unfinished start across hosts (daemon/intent.c).
add_executable(test_intent ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_intent.c)
target_link_libraries(test_intent PRIVATE vrouterd_core)
target_include_directories(test_intent PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_SOURCE_DIR}/daemon)
add_test(NAME test_intent COMMAND test_intent)
set_tests_properties(test_intent PROPERTIES LABELS unit)
# What a host runs for another host's topology (daemon/hosted.c, #15):
# recorded, found, listed, forgotten.  Links the daemon's core.
add_executable(test_hosted ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_hosted.c)
target_link_libraries(test_hosted PRIVATE vrouterd_core)
target_include_directories(test_hosted PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/unit)
add_test(NAME test_hosted COMMAND test_hosted)
set_tests_properties(test_hosted PROPERTIES LABELS unit)

# The fuzz target's stand-in handlers keep up with the dispatcher's table.
add_test(NAME check_fuzz_standins
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/check_fuzz_standins.sh
		${CMAKE_SOURCE_DIR})
set_tests_properties(check_fuzz_standins PROPERTIES LABELS unit)
