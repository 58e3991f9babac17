# A thread-local common (.tls_common: STT_TLS in SHN_COMMON, what old
# compilers made of a tentative __thread definition) beside a .tbss
# variable: both must have room of their own in the TLS block.
	.section .tbss,"awT",@nobits
	.globl tb
	.align 8
	.type tb,@object
	.size tb,32
tb:	.zero 32
	.tls_common tcom,64,16
	.section .note.GNU-stack,"",@progbits
