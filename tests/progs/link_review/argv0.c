/* exits with the first byte of argv[0], to check keel run --argv0=NAME */
int main(int argc, char **argv) { return argc > 0 ? (unsigned char)argv[0][0] : 0; }
