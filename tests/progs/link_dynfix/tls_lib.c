/* Thread-local variables of a shared library (linked by gcc and ld.bfd) */
__thread int tv = 5;
__thread int tv2[4] = {1, 2, 3, 4};
