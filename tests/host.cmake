# The bootable host image (images/build-host, issue 7): built twice (the
# two must be byte-identical), its manifest checked against the ISO and the
# initramfs, then booted under QEMU (TCG) from its own boot loader until
# vrouterd reports the autostarted topology. Minutes of xz and of nested
# emulation (about 6 minutes here); CI runs it. Exits 77 (skip) when not
# root or tools are missing.
add_test(NAME images_host_image
	COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/images/test_host_image.sh)
set_tests_properties(images_host_image PROPERTIES
	LABELS "images;host"
	SKIP_RETURN_CODE 77
	RUN_SERIAL TRUE
	TIMEOUT 1800)
