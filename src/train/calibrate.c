/*
 * calibrate.c — the score scale from a dataset's targets (see
 * calibrate.h).
 */
#include "train/calibrate.h"

#include <time.h>

#include "train/rules_csv.h"

int rules_calibrate(struct rules *r, const char *dataset_path, FILE *diag,
                    struct calibration *cal, struct errbuf *err)
{
    FILE *in = fopen(dataset_path, "r");
    if (!in)
        return err_set(err, "%s: cannot open", dataset_path);
    struct rows_count n;
    double lo, hi;
    int rc = rules_target_range(r, in, diag, &lo, &hi, &n, err);
    fclose(in);
    if (rc < 0)
        return -1;
    if (n.bad)
        return err_set(err, "%s: %ld bad rows (listed above); fix them "
                            "first", dataset_path, n.bad);
    if (n.good < 2)
        return err_set(err, "%s: %ld rows; at least 2 are needed",
                       dataset_path, n.good);
    if (!(lo < hi))
        return err_set(err, "%s: every row has target %.2f; a scale needs "
                            "a spread", dataset_path, lo);
    char note[512], day[32];
    time_t now = time(NULL);
    strftime(day, sizeof day, "%Y-%m-%d", gmtime(&now));
    snprintf(note, sizeof note, "from %s (%ld rows, targets %.2f..%.2f) "
             "on %s", dataset_path, n.good, lo, hi, day);
    if (rules_set_scale(r, lo, hi, note, err) < 0)
        return -1;
    *cal = (struct calibration){lo, hi, n.good};
    return 0;
}
