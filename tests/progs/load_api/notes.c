/* Loaded first in the unload test: constructors and destructors of the
 * other objects report here, and the test reads note_buf. */
char note_buf[256];
int note_len;

void note(const char *s)
{
    while (*s && note_len < (int)sizeof note_buf - 1)
        note_buf[note_len++] = *s++;
    note_buf[note_len] = 0;
}
