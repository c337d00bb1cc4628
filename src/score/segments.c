/*
 * segments.c — the four customer segments (SPEC §5) at scoring time: the
 * scaler's apply, the nearest-centroid rule, the letters and the original
 * UI's description of each. Their fitting is train/kmeans.c.
 */
#include "score/segments.h"

const char *const segment_descriptions[SEGMENT_COUNT] = {
    "Segmento de altos ingresos y baja rotación laboral",
    "Segmento de ingresos medios con estabilidad laboral",
    "Segmento de jóvenes con bajos ingresos y poca estabilidad",
    "Segmento actualmente desocupado y pocas posibilidades de reinserción",
};

void scaler_apply(const struct scaler *s, const double *x, double *z)
{
    for (int j = 0; j < FEATURE_COUNT; j++)
        z[j] = (x[j] - s->mean[j]) / s->scale[j];
}

int nearest_centroid(const double *centroids, int k, int dims,
                     const double *z)
{
    if (k < 1)
        return -1;
    double d;
    return nearest_centroid_dist(centroids, k, dims, z, &d);
}

char segment_letter(int index)
{
    return index >= 0 && index < 26 ? (char)('A' + index) : '?';
}
