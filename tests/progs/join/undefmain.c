void lib_undef(void);
int main(void) { lib_undef(); return 0; }
