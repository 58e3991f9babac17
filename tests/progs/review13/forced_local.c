/* The symbols ld.bfd writes local in a shared object's .symtab: hidden,
 * internal, and those a version script makes local. */
__attribute__((visibility("hidden"))) int hidden_fn(void) { return 1; }
__attribute__((visibility("internal"))) int internal_fn(void) { return 2; }
__attribute__((visibility("protected"))) int protected_fn(void) { return 3; }
int script_local_fn(void) { return 4; }
int exported_fn(void) { return hidden_fn() + internal_fn() + protected_fn() + script_local_fn(); }
