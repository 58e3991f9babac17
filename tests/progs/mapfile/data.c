/* The table tests/mapfile_layout.t places by FILE_BASENAME = data.o. */
int table[4] = {1, 2, 3, 4};
int data_sum(void) { return table[0] + table[1] + table[2] + table[3]; }
