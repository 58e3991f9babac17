# The archive member defining foo (review_issue12.t).
    .text
    .globl foo
foo:
    ret
