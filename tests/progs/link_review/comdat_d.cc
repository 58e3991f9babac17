inline int g(int x){ return x*5+2; }
int d1(int x){ return g(x)-1; }
int d2(int x){ return x*7; }
int main(){ extern int useg(int); return useg(1)+d1(2)+d2(3) == 0; }
