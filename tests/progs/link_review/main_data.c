/* main is a variable, not a function: keel run must refuse to call it. */
int main;
