/* Undefined references as ld.bfd reports them: one symbol many times from
 * one function (five said, then "more follow"), from several functions,
 * two symbols in turn, and from data (no function). */
extern int foo(void);
extern int bar(void);
extern int var;

int *ptr = &var;

int many(void) { return foo() + foo() + foo() + foo() + foo() + foo() + foo(); }

int again(void) { return foo() + bar() + var; }

int turns(void) { return foo() + bar() + foo() + bar() + foo() + bar() + foo(); }

int after_more(void) { return bar() + bar() + bar() + bar() + bar() + bar() + bar() + foo(); }
