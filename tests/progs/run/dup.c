/* tests/run.t: a second strong definition of util.c's counter. */
int counter = 5;

int dup_counter(void)
{
    return counter;
}
