int twice_x(void);
int twice_y(void) { return twice_x() + 1; }
