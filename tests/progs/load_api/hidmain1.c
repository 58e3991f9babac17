/* A program whose main is hidden (as -fvisibility=hidden makes it): the
 * loader finds it inside its batch (keel_program_symbol), never through
 * the namespace.  hidmain2.o is a second program with a main of its own. */
__attribute__((visibility("hidden"))) int main(void) { return 11; }
int hidmain1_pub = 7;
