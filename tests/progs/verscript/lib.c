/* A library for the policy's comparison with ld.bfd (link_version_script.t):
 * functions and data of each visibility and binding, each referenced from
 * inside (functions through the PLT, data through the GOT), so that ld.bfd's
 * dynamic relocations say which references it left preemptible. */
#define PROTECTED __attribute__((visibility("protected")))
#define HIDDEN __attribute__((visibility("hidden")))
#define NOINLINE __attribute__((noinline))

NOINLINE int fn_a(void) { return 1; }
NOINLINE int fn_b(void) { return 2; }
NOINLINE int api_open(void) { return 3; }
NOINLINE int api_close(void) { return 4; }
NOINLINE int api_internal(void) { return 5; }
PROTECTED NOINLINE int prot_fn(void) { return 6; }
HIDDEN NOINLINE int hid_fn(void) { return 7; }
__attribute__((weak)) NOINLINE int weak_fn(void) { return 8; }
int data_x = 1;
int data_y[4] = {1, 2, 3, 4};
PROTECTED int prot_data = 3;
HIDDEN int hid_data = 4;
__attribute__((weak)) int weak_data = 5;

int use_all(void);
int use_all(void)
{
    return fn_a() + fn_b() + api_open() + api_close() + api_internal() + prot_fn() + hid_fn() + weak_fn() + data_x +
           data_y[1] + prot_data + hid_data + weak_data;
}
