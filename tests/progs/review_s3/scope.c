/* review_s3.t: a shared library whose mapfile keeps one global exported
 * and makes the others local, as the version script scope.ver does. */
int scope_kept(int x)
{
    return x + 1;
}

int scope_hidden(int x)
{
    return x + 2;
}

int scope_data = 3;
