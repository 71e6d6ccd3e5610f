# Guest image (images/): reproducible build and a real boot under QEMU.
# Both exit 77 when they cannot run here (missing packages, not root, no QEMU).
add_test(NAME images_guest_build
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/images/test_guest_build.sh)
set_tests_properties(images_guest_build PROPERTIES
	LABELS "images"
	SKIP_RETURN_CODE 77
	TIMEOUT 300)

add_test(NAME images_guest_boot
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/images/test_guest_boot.sh)
set_tests_properties(images_guest_boot PROPERTIES
	LABELS "images;integration"
	SKIP_RETURN_CODE 77
	RUN_SERIAL TRUE
	TIMEOUT 600)

add_test(NAME images_guest_init
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/images/test_guest_init.sh)
set_tests_properties(images_guest_init PROPERTIES
	LABELS "images;unit"
	SKIP_RETURN_CODE 77
	TIMEOUT 60)

# issue 17: a guest with 100 000 extra routes forwards to the last of them
add_test(NAME images_guest_fib
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/images/test_guest_fib.sh)
set_tests_properties(images_guest_fib PROPERTIES
	LABELS "images;integration"
	SKIP_RETURN_CODE 77
	RUN_SERIAL TRUE
	TIMEOUT 900)
