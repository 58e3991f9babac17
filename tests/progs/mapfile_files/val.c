/* One value in .data, compiled under each name tests/mapfile_files.t
 * needs (-DNAME=foo_val -DVALUE=1, ...): which file it came from decides
 * where a mapfile's FILE_* attributes put it. */
int NAME = VALUE;
