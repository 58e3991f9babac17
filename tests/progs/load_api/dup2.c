/* A second strong definition of dup_sym. */
int dup_sym = 2;
int dup2_only = 2;
