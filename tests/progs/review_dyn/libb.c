extern int a_val(int);
extern int a_counter;
int b_val(int x) { a_counter++; return a_val(x) + 1; }
