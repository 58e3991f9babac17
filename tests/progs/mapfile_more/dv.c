/* tests/mapfile_more.t: a library of three versions, each inheriting the
 * one before (dv.ver): DEPEND_VERSIONS' ALLOW and REQUIRE against it. */
int f1(void) { return 1; }
int f2(void) { return 2; }
int f3(void) { return 3; }
