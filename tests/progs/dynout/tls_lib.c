/* Thread-local storage in a shared library keel links: an exported
 * variable (general dynamic, preemptible: DTPMOD64 and DTPOFF64 by
 * symbol), a static one (local dynamic), a hidden one (general dynamic,
 * no symbol: its offset written by the link-editor) and an initial-exec
 * one (TPOFF64, DF_STATIC_TLS). */
__thread int tls_gd = 11;
static __thread int tls_ld = 22;
__attribute__((visibility("hidden"))) __thread int tls_hid = 33;
__attribute__((tls_model("initial-exec"))) __thread int tls_ie = 44;

int tls_sum(void) { return tls_gd + tls_ld + tls_hid + tls_ie; }

void tls_bump(void)
{
    tls_gd++;
    tls_ld += 2;
    tls_hid += 3;
    tls_ie += 4;
}
