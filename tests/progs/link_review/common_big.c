long w;
