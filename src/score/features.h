/*
 * features.h — the model's eleven features and how an applicant's eight
 * inputs become them.
 *
 * This is the one source of truth for the feature list: its order is the
 * column order of the training dataset (the original data_prueba_limpia.csv)
 * and of the model's input; the ETL, the rules engine, the API and the
 * tests all use these names and this function.
 */
#ifndef INCOMESCORE_FEATURES_H
#define INCOMESCORE_FEATURES_H

#include "score/refdata.h"

enum feature {
    F_INGRESO,
    F_ANTIGUEDAD_LABORAL_MESES,
    F_TIEMPO_DESEMPLEADO,
    F_TRABAJOS_ULTIMOS_5,
    F_SEMANAS_COTIZADAS,
    F_EDAD,
    F_CRECIMIENTO_INGRESO,
    F_DECIL_INGRESO_ENIGH,
    F_LIQUIDEZ_PORCENTUAL,
    F_COSTO_DE_VIDA,
    F_CRECIMIENTO_GRAL,
    FEATURE_COUNT,
    /* The rules also read `jubilado`, which is no model feature: the ETL
     * knows it from the history; elsewhere it defaults to 0. */
    V_JUBILADO = FEATURE_COUNT,
    VARIABLE_COUNT
};

/* Column names, exactly as the original dataset spells them; the last one,
 * index V_JUBILADO, is "jubilado". */
extern const char *const variable_names[VARIABLE_COUNT];

/* The variable with this name, or -1. */
int variable_by_name(const char *name);

/* The eight inputs of an applicant, as the API receives them. */
struct applicant {
    double ingreso;                /* monthly income, pesos */
    int antiguedad_laboral_meses;
    int tiempo_desempleado;        /* months */
    int trabajos_ultimos_5;
    int semanas_cotizadas;
    int edad;
    double crecimiento_ingreso;    /* % */
    int lugar_actual;              /* state index 0..31 or STATE_UNKNOWN */
};

/* The state-derived features of an income in a state: decil (how many of
 * the state's ENIGH decile thresholds are <= ingreso), liquidez % and
 * costo de vida % against the state's ENIGH figures, and the state's ITAEE
 * growth. For STATE_UNKNOWN: decil 6, 0, 0, 0, as the original imputed. */
void features_of_state(const struct refdata *rd, int state, double ingreso,
                       double *decil, double *liquidez_porcentual,
                       double *costo_de_vida, double *crecimiento_gral);

/* Fills out[FEATURE_COUNT] in enum feature order. */
void features_from_applicant(const struct refdata *rd,
                             const struct applicant *a,
                             double out[FEATURE_COUNT]);

#endif
