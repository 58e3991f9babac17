/* a plugin calling back into a -rdynamic --gc-sections executable */
extern int host_callback(int);
int plugin_entry(void) { return host_callback(2); }
