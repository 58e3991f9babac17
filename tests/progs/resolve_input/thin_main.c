/* thin_f lives in a thin archive's member, a file beside the archive */
int thin_f(void);
int main(void) { return thin_f(); }
