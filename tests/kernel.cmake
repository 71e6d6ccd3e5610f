# Guest kernels from source (images/build-kernel, issue 8). All three exit 77
# (skip) when they cannot run here: linux-source-6.1 or the build packages
# missing, and for the boot test not root or no QEMU. The kernel cache lives in
# the build directory, so the kernel is built once per build directory and the
# boot test reuses what an earlier run (or the same run) built.
set(VR_KERNEL_ENV "VR_KERNEL_CACHE=${CMAKE_BINARY_DIR}/kernel-cache")

# Fast (seconds): tinyconfig + fragments + olddefconfig only; every option of
# every fragment must be in the merged .config.
add_test(NAME kernel_fragments
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/images/test_kernel_fragments.sh)
set_tests_properties(kernel_fragments PROPERTIES
	LABELS "images;kernel;unit"
	ENVIRONMENT "${VR_KERNEL_ENV}"
	SKIP_RETURN_CODE 77
	TIMEOUT 300)

# Builds the router kernel (or takes it from the cache), builds a guest with
# it, boots it under TCG and forwards through it; compares with the Debian
# kernel guest in the same run.
add_test(NAME kernel_guest_boot
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/images/test_kernel_build.sh)
set_tests_properties(kernel_guest_boot PROPERTIES
	DEPENDS kernel_reproducible
	LABELS "images;kernel;integration"
	ENVIRONMENT "${VR_KERNEL_ENV}"
	SKIP_RETURN_CODE 77
	RUN_SERIAL TRUE
	TIMEOUT 1800)

# Two real builds (no cache) of the same inputs give the same bzImage.
# Minutes of compiling, but CI runs it: reproducibility is a promise.  The
# first build fills an empty cache, and the boot tests run after it
# (DEPENDS: an order when both run, not a fixture), so CI compiles the
# router kernel twice, not three times.
add_test(NAME kernel_reproducible
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/images/test_kernel_repro.sh)
set_tests_properties(kernel_reproducible PROPERTIES
	LABELS "images;kernel;repro"
	ENVIRONMENT "${VR_KERNEL_ENV}"
	SKIP_RETURN_CODE 77
	RUN_SERIAL TRUE
	TIMEOUT 1800)

# The 32-bit guest (kernel ARCH=i386, busybox-static:i386 via multiarch), the
# original tool's 32-bit against 64-bit comparison. Builds a second kernel:
# "slow". Skips when dpkg has no i386 architecture.
add_test(NAME kernel_guest_boot_i386
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/images/test_kernel_build.sh)
set_tests_properties(kernel_guest_boot_i386 PROPERTIES
	LABELS "images;kernel;integration;slow"
	ENVIRONMENT "${VR_KERNEL_ENV};VR_KERNEL_ARCH=i386"
	SKIP_RETURN_CODE 77
	RUN_SERIAL TRUE
	TIMEOUT 1800)

# The router kernel through the whole stack: a guest image built with it,
# started by vrouterd through libvirt (the monolithic end-to-end test).
add_test(NAME e2e_monolithic_router_kernel
	COMMAND sh -c "${CMAKE_SOURCE_DIR}/images/build-guest --kernel router -o ${CMAKE_BINARY_DIR}/images/guest-router >${CMAKE_BINARY_DIR}/images/guest-router.log 2>&1 || { tail -20 ${CMAKE_BINARY_DIR}/images/guest-router.log; exit 1; }; VR_TEST_IMAGE=${CMAKE_BINARY_DIR}/images/guest-router exec ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_monolithic.sh ${CMAKE_BINARY_DIR} tap")
set_tests_properties(e2e_monolithic_router_kernel PROPERTIES
	DEPENDS kernel_reproducible
	LABELS "images;kernel;e2e"
	ENVIRONMENT "${VR_KERNEL_ENV}"
	SKIP_RETURN_CODE 77
	RUN_SERIAL TRUE
	TIMEOUT 1800)
