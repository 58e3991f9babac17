/* A call to far_fn (far.c), out of a direct call's reach. */
int far_fn(void);
int call_far(void) { return far_fn() + 1; }
