/*
 * fuzz_rules.c — the rules file (rules_parse, what `--rules` and the
 * bundles' rules.json go through). Any text is either refused with a
 * message or becomes rules that can be written back (rules_to_text) and
 * read again to the same text: a round trip that must hold, since a
 * bundle stores the rules it was trained with that way.
 */
#include "fuzz_common.h"
#include "score/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    char *text = fuzz_exact_copy(data, len);
    struct rules *r = NULL;
    struct errbuf err = {0};
    if (rules_parse(&r, text, len, "fuzz", &err) == 0) {
        char *again = rules_to_text(r);
        if (!again)
            abort();
        struct rules *r2 = NULL;
        struct errbuf err2 = {0};
        if (rules_parse(&r2, again, strlen(again), "again", &err2) < 0) {
            fprintf(stderr, "fuzz_rules: rules written back are refused: "
                    "%s\n", err2.msg);
            abort();
        }
        char *third = rules_to_text(r2);
        if (!third || strcmp(again, third) != 0) {
            fprintf(stderr, "fuzz_rules: the round trip changes the rules\n");
            abort();
        }
        free(third);
        rules_free(r2);
        free(again);
        rules_free(r);
    } else if (err.msg[0] == '\0') {
        fprintf(stderr, "fuzz_rules: refused without a message\n");
        abort();
    }
    free(text);
    return 0;
}
