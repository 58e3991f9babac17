inline int g(int x){ return x*5+2; }
int useg(int x){ return g(x)+1; }
