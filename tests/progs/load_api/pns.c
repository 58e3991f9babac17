/* The parent namespace's object. */
int parent_fn(void) { return 11; }
int pfx_unique_parent_only = 1;
int pfx_amb_one = 1, pfx_amb_two = 2, pfx_amb_three = 3;
int pfx_both_parent = 4;
