/* The common that must win over weakdef.c's weak definition (-fcommon). */
int wc_var;
int wc_common_value(void) { return wc_var; }
