/* No _start: the link warns (ld.bfd: "cannot find entry symbol _start"). */
int lib_diag_f(void) { return 1; }
