/* An executable's versions (-pie -E): bar in a script's node, foo@VX a
 * node the link makes (an executable may name one no script has). */
int bar(void) { return 1; }
int foo_x(void) { return 2; }
__asm__(".symver foo_x,foo@VX");
void _start(void) {}
