# End-to-end tests: real vrouterd, real libvirtd (private, in a sandbox),
# real netlink; TCG guests.  They need root; they skip (77) otherwise.
set(VR_IT ${CMAKE_CURRENT_SOURCE_DIR}/integration)

# The guest image is built once per build tree, before the tests that boot it.
add_test(NAME guest_image_build
	COMMAND ${CMAKE_SOURCE_DIR}/images/build-guest -o ${CMAKE_BINARY_DIR}/images/guest)
set_tests_properties(guest_image_build PROPERTIES
	FIXTURES_SETUP guest_image LABELS "integration;images" TIMEOUT 600)

foreach(link tap macvtap)
	add_test(NAME e2e_monolithic_${link}
		COMMAND ${VR_IT}/test_monolithic.sh ${CMAKE_BINARY_DIR} ${link})
	set_tests_properties(e2e_monolithic_${link} PROPERTIES
		FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
		LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)
endforeach()
# "release": also run in the release build by scripts/run.sh test (the
# path of the README's demo), not only under the sanitizers.
set_tests_properties(e2e_monolithic_tap PROPERTIES
	LABELS "integration;e2e;release")

# Issue 14: cputune seen by virsh, --rt as vcpusched, e1000/virtio, macvtap
# modes, vhost off/on.
add_test(NAME e2e_axes
	COMMAND ${VR_IT}/test_axes.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_axes PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 1500)

# Issue 14 placement: --hugepages refused with the numbers (fake pool),
# --vhost-cpu/--vhost-rt in status, policies read back.
add_test(NAME e2e_placement
	COMMAND ${VR_IT}/test_placement.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_placement PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)

# Issue 14: --deadline admitted or refused with its cause, and no cpuset
# or changed flag left behind in the (shared) cpuset hierarchy.
add_test(NAME e2e_deadline
	COMMAND ${VR_IT}/test_deadline.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_deadline PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)

add_test(NAME e2e_start_failures
	COMMAND ${VR_IT}/test_start_failures.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_start_failures PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)

# Topologies (issue 4): PVR and MSR end to end (32 UDP flows, every VR /
# back-end carries a share, stop leaves nothing), and a start that fails
# at its third node (a missing per-node image) leaving nothing behind.
foreach(t pvr msr halfway_failure)
	add_test(NAME e2e_${t}
		COMMAND ${VR_IT}/test_${t}.sh ${CMAKE_BINARY_DIR})
	set_tests_properties(e2e_${t} PROPERTIES
		FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
		LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)
endforeach()
# ... and PVR and MSR over MACVTAP (bridge mode on the per-network bridge)
foreach(t pvr msr)
	add_test(NAME e2e_${t}_macvtap
		COMMAND ${VR_IT}/test_${t}.sh ${CMAKE_BINARY_DIR} macvtap)
	set_tests_properties(e2e_${t}_macvtap PROPERTIES
		FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
		LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)
endforeach()
# ... and an MSR whose front-end stage has two load balancers
add_test(NAME e2e_msr_2lbs
	COMMAND ${VR_IT}/test_msr.sh ${CMAKE_BINARY_DIR} tap 2)
set_tests_properties(e2e_msr_2lbs PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)
# ... and an MSR whose load balancer spreads packets, not flows (issue 17)
add_test(NAME e2e_msr_packet
	COMMAND ${VR_IT}/test_msr_packet.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_msr_packet PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)
# ... and a PVR split by one multi-queue macvtap, no splitter (issue 17)
add_test(NAME e2e_pvr_split
	COMMAND ${VR_IT}/test_pvr_split.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_pvr_split PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900)

# Issue 17: --fib-routes 100000 end to end (readiness, status routes, a
# ping to the last prefix), and a million refused in too little memory.
add_test(NAME e2e_fib
	COMMAND ${VR_IT}/test_fib.sh ${CMAKE_BINARY_DIR})
set_tests_properties(e2e_fib PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e" SKIP_RETURN_CODE 77 TIMEOUT 1800)

# Issue 17: MSR whose back-ends learn their routes by OSPF or eBGP (BIRD
# 2); withdrawing a back-end moves its flows (the gap is measured).
foreach(r ospf bgp)
	add_test(NAME e2e_${r}
		COMMAND ${VR_IT}/test_ospf.sh ${CMAKE_BINARY_DIR} ${r})
	# "guest": what it tests runs in the guest (BIRD), not in our C
	# code, so the sanitizer pass of scripts/run.sh leaves it out
	set_tests_properties(e2e_${r} PROPERTIES
		FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
		LABELS "integration;e2e;guest" SKIP_RETURN_CODE 77 TIMEOUT 1800)
endforeach()

# Issue 15: two hosts on one machine (tests/integration/twohost.sh: netns,
# mount ns, libvirtd, sshd and vrouterd each, joined by a veth) and libvirt
# peer-to-peer live migration of a vrouterd guest A -> B -> A.
add_test(NAME multihost
	COMMAND ${VR_IT}/test_multihost.sh ${CMAKE_BINARY_DIR})
set_tests_properties(multihost PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e;release" SKIP_RETURN_CODE 77 TIMEOUT 900)

# Issue 15: calls to another host share one ssh connection (ssh_reuse,
# daemon/peer.c's masters), with the real ssh and sshd of the two hosts.
add_test(NAME peer_reuse
	COMMAND ${VR_IT}/test_peer_reuse.sh ${CMAKE_BINARY_DIR})
set_tests_properties(peer_reuse PROPERTIES
	RUN_SERIAL TRUE LABELS "integration" SKIP_RETURN_CODE 77 TIMEOUT 300)

# Issue 15: a topology across hosts (daemon/coord.c): pvr --vrs 2 with vr1
# on host B, started by A's vrouterd; flows, status, stop, a peer killed
# mid-start.  multihost_topo_netns: the same wiring, nodes as namespaces.
add_test(NAME multihost_topo
	COMMAND ${VR_IT}/test_multihost_topo.sh ${CMAKE_BINARY_DIR} vm)
# "variant": the sanitizer pass leaves it out; multihost_topo_netns runs the
# same coordinator paths there, and the guests only make it slower (~100 s).
set_tests_properties(multihost_topo PROPERTIES
	FIXTURES_REQUIRED guest_image RUN_SERIAL TRUE
	LABELS "integration;e2e;variant" SKIP_RETURN_CODE 77 TIMEOUT 1200)
add_test(NAME multihost_topo_netns
	COMMAND ${VR_IT}/test_multihost_topo.sh ${CMAKE_BINARY_DIR} netns)
set_tests_properties(multihost_topo_netns PROPERTIES
	RUN_SERIAL TRUE LABELS "integration" SKIP_RETURN_CODE 77 TIMEOUT 600)
