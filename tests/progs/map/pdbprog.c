/* A program for tests/map_pdb.t, linked by lld-link into a PE image and a
 * PDB: code in .text, constants in .rdata, and a .data whose zero-filled
 * tail (table) is longer than its bytes in the file (virtual size above
 * raw size).  It calls nothing outside itself: no Windows SDK needed. */
int table[1000];
int seed = 7;
const char msg[] = "keel map";

static int twice(int x) { return x * 2; }

int sum(int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += table[i] + twice(i);
    return s;
}

int main(void) { return sum(seed) + msg[0]; }
