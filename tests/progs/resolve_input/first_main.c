/* first_x is defined by a member of one.a and of two.a: the first
 * archive on the line provides it */
int first_x(void);
int main(void) { return first_x(); }
