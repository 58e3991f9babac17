/* Constructors in init arrays of every kind of name, numbered and not:
 * GNU ld's default script runs the numbered ones by priority (.ctors.N as
 * .init_array.(65535-N)), then every unnumbered one in input order.
 * PRIO_TAG names the object in what it prints. */
#include <string.h>
#include <unistd.h>

#define STR2(x) #x
#define STR(x) STR2(x)
static void say(const char *what)
{
    write(1, STR(PRIO_TAG), strlen(STR(PRIO_TAG)));
    write(1, ":", 1);
    write(1, what, strlen(what));
    write(1, "\n", 1);
}

#define CTOR(fn, sec)                                                          \
    static void fn(void) { say(sec); }                                         \
    __attribute__((section(sec), used)) static void (*const fn##_p)(void) = fn;

#ifdef PLAIN
CTOR(plain, ".init_array")
#endif
#ifdef P65535
CTOR(p65535, ".init_array.65535")
#endif
#ifdef P101
CTOR(p101, ".init_array.101")
#endif
#ifdef P70000
CTOR(p70000, ".init_array.70000")
#endif
#ifdef CTORS
CTOR(ctors, ".ctors")
#endif
#ifdef CTORS_65434
CTOR(ctors_65434, ".ctors.65434")
#endif
#ifdef PREINIT
CTOR(preinit, ".preinit_array")
#endif
#ifdef P0
CTOR(p0, ".init_array.0")
#endif
#ifdef FINI_PLAIN
CTOR(fini_plain, ".fini_array")
#endif
#ifdef FINI_65535
CTOR(fini_65535, ".fini_array.65535")
#endif
#ifdef FINI_101
CTOR(fini_101, ".fini_array.101")
#endif
#ifdef DTORS
CTOR(dtors, ".dtors")
#endif
#ifdef DTORS_65434
CTOR(dtors_65434, ".dtors.65434")
#endif
