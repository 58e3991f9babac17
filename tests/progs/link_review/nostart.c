int fa(void){return 1;}
int x = 5;
