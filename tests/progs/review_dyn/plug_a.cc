#include "uniq.h"
extern "C" int plug_a_bump() { return ++shared_counter(); }
