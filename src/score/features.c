/*
 * features.c — the feature list and the applicant → features mapping
 * (see features.h). The employment-history → applicant mapping lives with
 * the ETL; both meet here.
 */
#include "score/features.h"

#include <string.h>

const char *const variable_names[VARIABLE_COUNT] = {
    [F_INGRESO] = "ingreso",
    [F_ANTIGUEDAD_LABORAL_MESES] = "antiguedad_laboral_meses",
    [F_TIEMPO_DESEMPLEADO] = "tiempo_desempleado",
    [F_TRABAJOS_ULTIMOS_5] = "trabajos_ultimos_5",
    [F_SEMANAS_COTIZADAS] = "semanasCotizadas",
    [F_EDAD] = "edad",
    [F_CRECIMIENTO_INGRESO] = "crecimiento_ingreso",
    [F_DECIL_INGRESO_ENIGH] = "decil_ingreso_ENIGH",
    [F_LIQUIDEZ_PORCENTUAL] = "liquidez_porcentual",
    [F_COSTO_DE_VIDA] = "costo_de_vida",
    [F_CRECIMIENTO_GRAL] = "crecimiento_gral",
    [V_JUBILADO] = "jubilado",
};

int variable_by_name(const char *name)
{
    for (int v = 0; v < VARIABLE_COUNT; v++)
        if (strcmp(variable_names[v], name) == 0)
            return v;
    return -1;
}

/* What the original system imputed for a person whose state is unknown. */
#define UNKNOWN_STATE_DECIL 6

void features_of_state(const struct refdata *rd, int state, double ingreso,
                       double *decil, double *liquidez_porcentual,
                       double *costo_de_vida, double *crecimiento_gral)
{
    if (state < 0 || state >= STATE_COUNT) {
        *decil = UNKNOWN_STATE_DECIL;
        *liquidez_porcentual = 0;
        *costo_de_vida = 0;
        *crecimiento_gral = 0;
        return;
    }
    const struct enigh_figures *e = &rd->enigh[state];
    int d = 0;
    while (d < ENIGH_DECILES && e->deciles[d] <= ingreso)
        d++;
    *decil = d;
    *liquidez_porcentual = (ingreso - e->liquidez) / e->liquidez * 100.0;
    *costo_de_vida = (ingreso - e->gasto_total) / e->gasto_total * 100.0;
    *crecimiento_gral = refdata_itaee(rd, state);
}

void features_from_applicant(const struct refdata *rd,
                             const struct applicant *a,
                             double out[FEATURE_COUNT])
{
    out[F_INGRESO] = a->ingreso;
    out[F_ANTIGUEDAD_LABORAL_MESES] = a->antiguedad_laboral_meses;
    out[F_TIEMPO_DESEMPLEADO] = a->tiempo_desempleado;
    out[F_TRABAJOS_ULTIMOS_5] = a->trabajos_ultimos_5;
    out[F_SEMANAS_COTIZADAS] = a->semanas_cotizadas;
    out[F_EDAD] = a->edad;
    out[F_CRECIMIENTO_INGRESO] = a->crecimiento_ingreso;
    features_of_state(rd, a->lugar_actual, a->ingreso,
                      &out[F_DECIL_INGRESO_ENIGH], &out[F_LIQUIDEZ_PORCENTUAL],
                      &out[F_COSTO_DE_VIDA], &out[F_CRECIMIENTO_GRAL]);
}
