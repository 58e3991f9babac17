/* A .gnu.warning section longer than any fixed message buffer: linking
 * this object makes ld.bfd print its whole text as a warning, and keel
 * must say it whole too. */
#define W "long warning long warning long warning long warning long warning "
#define W5 W W W W W
__attribute__((section(".gnu.warning"), used)) static const char warning[] = W5 W5 W5 W5 W5 W5 "end";
void _start(void) {}
