/* An archive member with an undefined reference: ld.bfd names it
 * lib.a(member.o). */
extern int in_member(void);

int member(void) { return in_member(); }
