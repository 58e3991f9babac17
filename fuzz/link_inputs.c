/*
 * libFuzzer target for the link-editor, the whole link: the input is one
 * to four files (objects, archives, scripts) and the link's options, as
 * fuzz/link_one.h describes, linked by keel_link into a private directory;
 * the output is written, checked by the reader and removed.  Layout,
 * relocation, merging, .eh_frame, the GOT, IFUNCs, the build ID and the
 * output file are reached, not only the reading of the inputs.
 *
 * Seeds: fuzz/link_inputs_seeds.sh CORPUS writes small programs that link
 * (gcc and clang, several models), pairs and archives with the separator,
 * and option bytes; fuzz/seeds/link_inputs/ keeps every input that ever
 * made this target fail (fuzz/run.sh copies both into the corpus), and
 * tests/link_output.t replays them under the sanitizers.
 *
 * Memory errors are caught by ASan/UBSan; a broken promise (a failed link
 * without a message, an output the reader refuses or with a W+X segment)
 * aborts, so libFuzzer keeps the input.
 */
#include "link_one.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lf_link_one(data, size);
    return 0;
}
