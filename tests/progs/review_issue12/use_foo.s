# Needs foo from an archive (review_issue12.t's malformed index).
    .text
    .globl main
main:
    call foo
    ret
