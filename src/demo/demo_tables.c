/*
 * demo_tables.c — the fixed tables of the synthetic documents (see
 * demo_tables.h): the weights, names, employer words and spellings, and
 * the minimum wage and UMA series with how they are carried beyond the
 * years they cover.
 */
#include "demo/demo_tables.h"

#include <math.h>

/* Where people with an IMSS record work: approximate thousands of
 * IMSS-insured workers per state (IMSS, 2023), by state index. Tuning for
 * the generator, not reference data. */
const double demo_worker_weights[STATE_COUNT] = {
    340, 1030, 210, 150, 830, 150, 230, 950, 3600, 270, 1050,
    190, 270, 1950, 1650, 480, 240, 150, 1800, 240, 650, 650,
    480, 480, 620, 680, 250, 720, 120, 800, 440, 200,
};

/* Where they were born: population in hundred thousands (Censo 2020). */
const double demo_birth_weights[STATE_COUNT] = {
    14, 38, 8, 9, 32, 7, 55, 37, 92, 18, 62,
    35, 31, 83, 170, 47, 20, 12, 58, 41, 66, 24,
    19, 28, 30, 29, 24, 35, 13, 81, 23, 16,
};

/* The state as IMSS writes it (struct imss_spelling). */
const struct imss_spelling demo_imss_states[STATE_COUNT] = {
    {"AGUASCALIENTES", NULL, NULL},
    {"BAJA CALIFORNIA", NULL, "BAJA CALIFORNIA NORTE"},
    {"BAJA CALIFORNIA SUR", NULL, NULL},
    {"CAMPECHE", NULL, NULL},
    {"COAHUILA", NULL, "COAHUILA DE ZARAGOZA"},
    {"COLIMA", NULL, NULL},
    {"CHIAPAS", NULL, NULL},
    {"CHIHUAHUA", NULL, NULL},
    {"DISTRITO FEDERAL", "CIUDAD DE MÉXICO", "CIUDAD DE MEXICO"},
    {"DURANGO", NULL, NULL},
    {"GUANAJUATO", NULL, NULL},
    {"GUERRERO", NULL, NULL},
    {"HIDALGO", NULL, NULL},
    {"JALISCO", NULL, NULL},
    {"MEXICO", "ESTADO DE MÉXICO", "ESTADO DE MEXICO"},
    {"MICHOACAN", "MICHOACÁN", "MICHOACAN DE OCAMPO"},
    {"MORELOS", NULL, NULL},
    {"NAYARIT", NULL, NULL},
    {"NUEVO LEON", "NUEVO LEÓN", NULL},
    {"OAXACA", NULL, NULL},
    {"PUEBLA", NULL, NULL},
    {"QUERETARO", "QUERÉTARO", "QUERETARO DE ARTEAGA"},
    {"QUINTANA ROO", NULL, NULL},
    {"SAN LUIS POTOSI", "SAN LUIS POTOSÍ", NULL},
    {"SINALOA", NULL, NULL},
    {"SONORA", NULL, NULL},
    {"TABASCO", NULL, NULL},
    {"TAMAULIPAS", NULL, NULL},
    {"TLAXCALA", NULL, NULL},
    {"VERACRUZ", NULL, "VERACRUZ DE IGNACIO DE LA LLAVE"},
    {"YUCATAN", "YUCATÁN", NULL},
    {"ZACATECAS", NULL, NULL},
};

/* Names as RENAPO writes them: upper case, no accents, Ñ kept. Ordered by
 * how common they are; picks favour the front of each list. */
static const char *const male_names[] = {
    "JOSE LUIS", "JUAN", "JOSE", "MIGUEL ANGEL", "JUAN CARLOS", "LUIS",
    "CARLOS", "JESUS", "FRANCISCO", "ALEJANDRO", "JOSE ANTONIO", "JORGE",
    "ANTONIO", "PEDRO", "MANUEL", "RICARDO", "FERNANDO", "JUAN MANUEL",
    "RAUL", "JAVIER", "DAVID", "ROBERTO", "EDUARDO", "DANIEL", "SERGIO",
    "ARTURO", "MARIO", "JOSE MANUEL", "ALBERTO", "HECTOR", "OSCAR",
    "VICTOR MANUEL", "RAFAEL", "ENRIQUE", "GERARDO", "MARTIN", "SALVADOR",
    "LUIS ANGEL", "RUBEN", "ALFREDO", "JOSE DE JESUS", "ERNESTO",
    "GUILLERMO", "ARMANDO", "ADRIAN", "IVAN", "OMAR", "CESAR", "HUGO",
    "GABRIEL", "ISRAEL", "JULIO CESAR", "RAMON", "ABRAHAM", "EMILIANO",
    "SANTIAGO", "DIEGO", "SEBASTIAN", "LEONARDO", "MATEO", "JUAN PABLO",
    "ANGEL", "BRANDON", "KEVIN", "ULISES", "ISMAEL", "FELIPE", "GUSTAVO",
    "AGUSTIN", "IGNACIO", "EFRAIN", "ROGELIO", "MAURICIO", "ESTEBAN",
    "NOE", "URIEL", "CRISTIAN", "ALDO", "IKER", "JOAQUIN",
};
static const char *const female_names[] = {
    "MARIA GUADALUPE", "MARIA", "GUADALUPE", "JUANA", "MARIA DEL CARMEN",
    "VERONICA", "LETICIA", "ALEJANDRA", "PATRICIA", "ELIZABETH",
    "GABRIELA", "ADRIANA", "MARIA ELENA", "MARTHA", "SILVIA",
    "ANA MARIA", "LAURA", "CLAUDIA", "MARIA DE LOURDES", "TERESA",
    "YOLANDA", "ARACELI", "NORMA", "SANDRA", "KARLA", "DIANA", "MONICA",
    "ROSA MARIA", "LUCIA", "CARMEN", "ELENA", "ANDREA", "MARIA FERNANDA",
    "DANIELA", "XIMENA", "SOFIA", "VALERIA", "CAMILA", "REGINA", "ITZEL",
    "BRENDA", "ESMERALDA", "MARISOL", "ROCIO", "IRMA", "BEATRIZ",
    "MARIA JOSE", "ANA KAREN", "FERNANDA", "MARIANA", "PAOLA", "ERIKA",
    "LILIANA", "ANGELICA", "CRISTINA", "MIRIAM", "YESENIA", "JESSICA",
    "MARIA ISABEL", "LORENA", "SUSANA", "ALMA DELIA", "BLANCA ESTELA",
    "MA GUADALUPE", "MARIA DEL ROSARIO", "NANCY", "EVELYN", "YAZMIN",
    "ESTEFANIA", "NAYELI", "GUILLERMINA", "JOSEFINA", "FABIOLA", "ZOILA",
};
static const char *const surnames[] = {
    "HERNANDEZ", "GARCIA", "MARTINEZ", "LOPEZ", "GONZALEZ", "PEREZ",
    "RODRIGUEZ", "SANCHEZ", "RAMIREZ", "CRUZ", "FLORES", "GOMEZ",
    "MORALES", "VAZQUEZ", "REYES", "JIMENEZ", "TORRES", "DIAZ",
    "GUTIERREZ", "RUIZ", "MENDOZA", "AGUILAR", "ORTIZ", "MORENO",
    "CASTILLO", "ROMERO", "ALVAREZ", "MENDEZ", "CHAVEZ", "RIVERA",
    "JUAREZ", "RAMOS", "DOMINGUEZ", "HERRERA", "MEDINA", "CASTRO",
    "VARGAS", "GUZMAN", "VELAZQUEZ", "MUÑOZ", "ROJAS", "DE LA CRUZ",
    "CONTRERAS", "SALAZAR", "LUNA", "ORTEGA", "SANTIAGO", "GUERRERO",
    "BAUTISTA", "CORTES", "SOTO", "ALVARADO", "ESPINOZA", "LARA", "AVILA",
    "RIOS", "CERVANTES", "SILVA", "DELGADO", "VEGA", "MARQUEZ",
    "SANDOVAL", "FERNANDEZ", "LEON", "CARRILLO", "MEJIA", "SOLIS",
    "NUÑEZ", "ROSAS", "VALDEZ", "IBARRA", "CAMACHO", "OROZCO", "NAVARRO",
    "ESTRADA", "PEÑA", "ROSALES", "MOLINA", "TREJO", "GALLEGOS",
    "CABRERA", "FUENTES", "CAMPOS", "ACOSTA", "DEL ANGEL", "PADILLA",
    "MIRANDA", "CORONA", "ZAMORA", "VILLANUEVA", "DE LEON", "ESCOBAR",
    "ZUÑIGA", "OCHOA", "VALENCIA", "MACIAS", "IBAÑEZ", "QUINTERO",
    "XOCHIPA", "UC", "CHI", "DE LOS SANTOS", "YAÑEZ",
};

/* Large employers, fictional: a few names turn up in many histories, as
 * chains and staffing firms do in real ones. */
static const char *const large_employers[] = {
    "CADENA COMERCIAL DEL VALLE SA DE CV",
    "TIENDAS DE AUTOSERVICIO LA ESPIGA SA DE CV",
    "SERVICIOS ADMINISTRATIVOS INTEGRA SA DE CV",
    "OPERADORA DE TIENDAS DE CONVENIENCIA ALBA SA DE CV",
    "MANUFACTURAS AUTOMOTRICES DEL BAJIO SA DE CV",
    "ENSAMBLES ELECTRONICOS DE LA FRONTERA S DE RL DE CV",
    "PANIFICADORA NACIONAL SAB DE CV",
    "FARMACIAS DE LA SALUD SA DE CV",
    "GRUPO CONSTRUCTOR PIRAMIDE SA DE CV",
    "TRANSPORTES Y LOGISTICA CONTINENTAL SA DE CV",
    "CENTRO DE CONTACTO TELEMEX SA DE CV",
    "SERVICIOS DE PERSONAL EMPRESARIAL SC",
    "SEGURIDAD PRIVADA CENTINELA SA DE CV",
    "LIMPIEZA Y MANTENIMIENTO INTEGRAL SA DE CV",
    "BANCO POPULAR DEL SURESTE SA INSTITUCION DE BANCA MULTIPLE",
    "TIENDAS DEPARTAMENTALES EL PUERTO SA DE CV",
    "ALIMENTOS Y BEBIDAS DE MEXICO SA DE CV",
    "RESTAURANTES FAMILIARES LA TERRAZA SA DE CV",
    "HOTELES Y RESORTS DEL CARIBE SA DE CV",
    "DISTRIBUIDORA DE ABARROTES EL SURTIDOR SA DE CV",
    "AUTOPARTES Y COMPONENTES AZTECA S DE RL DE CV",
    "EMBOTELLADORA DEL PACIFICO SA DE CV",
    "COMERCIALIZADORA DE ELECTRODOMESTICOS HOGAR SA DE CV",
    "MUEBLERIA Y CREDITO LA FAMILIA SA DE CV",
    "S.A.P.I. SOLUCIONES DE TALENTO DE C.V.",
    "PAQUETERIA Y MENSAJERIA VELOZ SA DE CV",
    "INDUSTRIAS TEXTILES DE PUEBLA SA DE CV",
    "ACEROS Y PERFILES DEL NORTE SA DE CV",
    "AGROINDUSTRIAS DEL NOROESTE SPR DE RL",
    "UNIVERSIDAD DEL VALLE DE ANAHUAC AC",
    "HOSPITAL Y CLINICAS SAN RAFAEL SA DE CV",
    "OUTSOURCING Y SERVICIOS CORPORATIVOS ATLAS SA DE CV",
    "GASOLINERAS Y SERVICIOS LA ROSA SA DE CV",
    "CINES Y ENTRETENIMIENTO CARTELERA SA DE CV",
    "TELEFONIA Y DATOS DE MEXICO SA DE CV",
    "CONSTRUCTORA E INMOBILIARIA HORIZONTE SA DE CV",
};
static const char *const employer_trades[] = {
    "DISTRIBUIDORA", "COMERCIALIZADORA", "SERVICIOS", "GRUPO",
    "CONSTRUCTORA", "TRANSPORTES", "INDUSTRIAS", "ALIMENTOS", "AUTOPARTES",
    "MANUFACTURAS", "OPERADORA", "PROMOTORA", "INMOBILIARIA",
    "CORPORATIVO", "LOGISTICA", "FARMACIA", "PANIFICADORA", "TEXTILES",
    "PLASTICOS", "METALMECANICA", "RESTAURANTES", "HOTELERA",
    "SEGURIDAD PRIVADA", "LIMPIEZA INDUSTRIAL", "AGROINDUSTRIAS",
    "EMPACADORA", "ACEROS", "MUEBLES", "CONSULTORIA", "TECNOLOGIA",
    "MATERIALES PARA CONSTRUCCION", "FERRETERIA", "TALLER MECANICO",
    "LABORATORIOS", "EDUCACION Y CULTURA", "COMPAÑIA MINERA",
    "IMPRESOS Y EMPAQUES", "SERVICIOS MEDICOS", "FRUTAS Y LEGUMBRES",
    "TORTILLERIA", "PURIFICADORA DE AGUA", "AUTOTRANSPORTES",
};
static const char *const employer_themes[] = {
    "DEL NORTE", "DEL BAJIO", "DEL PACIFICO", "DEL GOLFO", "DEL SURESTE",
    "DEL CENTRO", "DE OCCIDENTE", "PENINSULAR", "FRONTERIZA", "INTEGRAL",
    "MEXICANA", "NACIONAL", "INTERNACIONAL", "ESPECIALIZADA", "INDUSTRIAL",
    "EMPRESARIAL", "SAN JOSE", "SANTA MONICA", "LA ESPERANZA",
    "EL PORVENIR", "LA PROVIDENCIA", "EL ROBLE", "LOS PINOS", "DEL VALLE",
    "LA MONTAÑA", "LA CAMPIÑA", "EL FARO", "LAS AGUILAS", "EL SOL",
    "AZTECA", "MAYA", "OLMECA", "TOLTECA", "QUETZAL", "ALFA", "OMEGA",
    "DELTA", "GALAXIA", "PREMIER", "TRES HERMANOS", "SAN MIGUEL",
    "GUADALUPANA", "LA NORTEÑA", "EL GÜERO",
};
static const char *const business_nicknames[] = {
    "LA PALAPA", "EL BUEN SAZON", "DOÑA LUPE", "EL CHARRO", "LA GUERA",
    "LOS COMPADRES", "EL MIRADOR", "LA PARROQUIA", "EL FOGON",
};
static const struct weighted_text company_suffixes[] = {
    {" SA DE CV", 54}, {" S.A. DE C.V.", 12}, {" S DE RL DE CV", 9},
    {" S. DE R.L. DE C.V.", 3}, {" SAPI DE CV", 5}, {" SC", 3},
    {" S.C.", 2}, {" AC", 2}, {" SA", 3}, {" SAB DE CV", 2}, {"", 5},
};
static const struct weighted_text vigente_spellings[] = {
    {"Vigente", 50}, {"VIGENTE", 30}, {"vigente", 8}, {" vigente ", 6},
    {"Vigente ", 3}, {" VIGENTE", 3},
};

const struct demo_words demo_male_names = {male_names, COUNT_OF(male_names)};
const struct demo_words demo_female_names = {female_names,
                                             COUNT_OF(female_names)};
const struct demo_words demo_surnames = {surnames, COUNT_OF(surnames)};
const struct demo_words demo_large_employers = {large_employers,
                                                COUNT_OF(large_employers)};
const struct demo_words demo_employer_trades = {employer_trades,
                                                COUNT_OF(employer_trades)};
const struct demo_words demo_employer_themes = {employer_themes,
                                                COUNT_OF(employer_themes)};
const struct demo_words demo_business_nicknames = {
    business_nicknames, COUNT_OF(business_nicknames)};
const struct demo_weighted demo_company_suffixes = {
    company_suffixes, COUNT_OF(company_suffixes)};
const struct demo_weighted demo_vigente_spellings = {
    vigente_spellings, COUNT_OF(vigente_spellings)};

/* Mexico's general daily minimum wage (CONASAMI; zone A before 2012),
 * pesos of each year, 1988..2026. */
#define WAGE_TABLE_FIRST 1988
static const double minimum_wage[] = {
    8.00, 8.64, 10.08, 11.90, 13.33, 14.27, 15.27, 20.15, 26.45,
    26.45, 30.20, 34.45, 37.90, 40.35, 42.15, 43.65, 45.24, 46.80,
    48.67, 50.57, 52.59, 54.80, 57.46, 59.82, 62.33, 64.76, 67.29,
    70.10, 73.04, 80.04, 88.36, 102.68, 123.22, 141.70, 172.87, 207.44,
    248.93, 278.80, 315.04,
};
#define WAGE_TABLE_LAST (WAGE_TABLE_FIRST + \
    (int)(sizeof minimum_wage / sizeof minimum_wage[0]) - 1)
/* UMA (INEGI), the unit of IMSS's 25-unit wage ceiling since 2016;
 * before, the ceiling was 25 minimum wages. */
#define UMA_FIRST 2016
static const double uma[] = {
    73.04, 75.49, 80.60, 84.49, 86.88, 89.62, 96.22, 103.74, 108.57,
    113.14, 117.31,
};
#define UMA_LAST (UMA_FIRST + (int)(sizeof uma / sizeof uma[0]) - 1)

double demo_minimum_wage(int year)
{
    if (year < WAGE_TABLE_FIRST) /* the hyperinflation years, roughly */
        return minimum_wage[0] * pow(0.6, WAGE_TABLE_FIRST - year);
    if (year > WAGE_TABLE_LAST)
        return minimum_wage[WAGE_TABLE_LAST - WAGE_TABLE_FIRST] *
               pow(1.07, year - WAGE_TABLE_LAST);
    return minimum_wage[year - WAGE_TABLE_FIRST];
}

double demo_wage_ceiling(int year)
{
    if (year < UMA_FIRST)
        return 25 * demo_minimum_wage(year);
    if (year > UMA_LAST)
        return 25 * uma[UMA_LAST - UMA_FIRST] * pow(1.05, year - UMA_LAST);
    return 25 * uma[year - UMA_FIRST];
}

