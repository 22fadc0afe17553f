// Compiled only to build the tests' precompiled headers (tests/CMakeLists.txt, FAULTDESK_PCH).
