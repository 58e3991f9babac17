/* The child namespace's object: it uses the parent's parent_fn. */
int parent_fn(void);
int child_fn(void) { return parent_fn() + 1; }
int pfx_both_child = 5;
int pfx_child_only_x = 6;
/* eight long candidates for one prefix: the error must list them all */
int pfx_long_candidate_name_number_01, pfx_long_candidate_name_number_02, pfx_long_candidate_name_number_03,
    pfx_long_candidate_name_number_04, pfx_long_candidate_name_number_05, pfx_long_candidate_name_number_06,
    pfx_long_candidate_name_number_07, pfx_long_candidate_name_number_08;
