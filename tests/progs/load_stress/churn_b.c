/* Loaded and unloaded over and over into a child namespace: base.o is
 * found through the parent, and its dependents cross namespaces. */
extern int base_fn(int);
int churn_b_fn(int x) { return base_fn(x) * 3; }
int churn_b_bss[128];
