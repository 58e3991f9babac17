short w = 3;
