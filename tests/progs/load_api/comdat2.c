/* A COMDAT group whose symbol is hidden, as C++'s DW.ref.__gxx_personality_v0:
 * comdat1.o and comdat2.o each carry a copy; loaded one after the other,
 * the second copy is dropped and its references must reach the first. */
__asm__(".section .data.rel.local.dwref,\"awG\",@progbits,dwref_shared,comdat\n"
        ".hidden dwref_shared\n.weak dwref_shared\n.type dwref_shared, @object\n.size dwref_shared, 8\n"
        ".p2align 3\ndwref_shared: .quad 42\n.text\n");
extern __attribute__((visibility("hidden"))) long dwref_shared;
long comdat_get2(void) { return dwref_shared; }
