__attribute__((weak)) short c = 1;
