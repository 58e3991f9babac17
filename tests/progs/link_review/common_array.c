long c[4];
