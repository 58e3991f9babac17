/* Thread-local variables a program imports (link_join.t) */
__thread int tv = 42;
__thread int tarr[4] = {1, 2, 3, 4};
