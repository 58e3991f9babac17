/* Loaded code named for perf and gdb (jit_names.c): the loader's hooks. */
#ifndef KEEL_LOAD_JIT_NAMES_H
#define KEEL_LOAD_JIT_NAMES_H

#include "internal.h"

/* An object committed to a namespace that runs code: its functions into
 * perf's map (if open), its file into gdb's JIT list (if a debugger). */
void rl_jit_names_loaded(keel_object *o);
/* Before its pages go: out of gdb's list.  (perf's lines stay.) */
void rl_jit_names_unloaded(keel_object *o);

#endif
