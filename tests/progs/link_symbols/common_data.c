/* a real definition of data: ld.bfd takes this member for the common */
int foo = 5;
