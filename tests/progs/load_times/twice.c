/* load_times.t: the archive's member. */
int twice(int x) { return 2 * x; }
