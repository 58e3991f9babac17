/* another common: not taken */
int foo;
