/* pair1.o's partner: a cycle between the two. */
extern int pair1_fn(int);
extern int base_data[];
int pair2_fn(int x) { return x ? pair1_fn(x - 1) : base_data[0]; }
