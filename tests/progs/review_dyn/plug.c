#include <stdio.h>
extern int host_value(void);
extern int host_data;
int plugin_run(void) { return host_value() * 10 + host_data; }
