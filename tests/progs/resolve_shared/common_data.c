/* a real definition of data: taken from the archive for a common */
int foo = 5;
