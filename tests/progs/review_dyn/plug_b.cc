#include "uniq.h"
extern "C" int plug_b_bump() { return ++shared_counter(); }
