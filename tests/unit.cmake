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
vr_unit_test(test_topo)
vr_unit_test(test_domxml)

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
