/* Country look-up table built from the store's country regions. */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "geocode/country_index.h"
#include "fp_geocode.h"

struct fp_country_index {
    GHashTable *by_key;     /* folded text -> fp_country* (owned by `all`) */
    GHashTable *by_words;   /* the same names with abbreviations written out (words_key) */
    fp_country *all;
    long n;
};

/* A second key for names as map makers abbreviate them (Natural Earth's
 * admin-0 NAME: "Dem. Rep. Congo", "Solomon Is.", "St. Vin. and Gren.",
 * "Fr. Polynesia", "S. Sudan"): the folded words with the abbreviations
 * written out and "the", "of", "and" dropped, so "democratic republic
 * congo" meets "Democratic Republic of the Congo". Tried only when the
 * name as written is no key. */
static char *words_key(const char *folded)
{
    static const char *const expand[][2] = {
        { "is", "islands" }, { "i", "island" }, { "rep", "republic" }, { "dem", "democratic" }, { "st", "saint" },
        { "eq", "equatorial" }, { "s", "south" }, { "n", "northern" }, { "w", "western" }, { "fr", "french" },
        { "br", "british" }, { "ter", "territory" }, { "herz", "herzegovina" }, { "vin", "vincent" },
        { "gren", "grenadines" }, { "barb", "barbuda" }, { "geo", "georgia" }, { "is.", "islands" } };
    static const char *const drop[] = { "the", "of", "and", NULL };
    GString *o = g_string_new(NULL);
    gchar **w = g_strsplit(folded, " ", -1);
    for (int i = 0; w[i]; i++) {
        const char *word = w[i];
        int skip = !*word;
        for (int k = 0; drop[k] && !skip; k++) skip = !strcmp(word, drop[k]);
        if (skip) continue;
        for (size_t k = 0; k < sizeof expand / sizeof expand[0]; k++)
            if (!strcmp(word, expand[k][0])) { word = expand[k][1]; break; }
        if (o->len) g_string_append_c(o, ' ');
        g_string_append(o, word);
    }
    g_strfreev(w);
    return g_string_free(o, FALSE);
}

static void add_key(fp_country_index *idx, const char *text, fp_country *c)
{
    if (!text || !*text) return;
    char *k = fp_fold_text(text);
    if (!k || !*k) { free(k); return; }
    char *wk = words_key(k);
    /* First writer wins: codes are added before names, so "CHN" never
     * resolves to a region merely named "Chn". */
    if (g_hash_table_contains(idx->by_key, k)) free(k);
    else g_hash_table_insert(idx->by_key, k, c);
    if (!*wk || g_hash_table_contains(idx->by_words, wk)) g_free(wk);
    else g_hash_table_insert(idx->by_words, wk, c);
}

/* Territory codes -> the sovereign country geodata/ keeps them in. */
static const char *const folded_into[][2] = {
    { "GF", "FRA" }, { "GUF", "FRA" }, { "GP", "FRA" }, { "GLP", "FRA" }, { "MQ", "FRA" }, { "MTQ", "FRA" },
    { "RE", "FRA" }, { "REU", "FRA" }, { "YT", "FRA" }, { "MYT", "FRA" }, { "SJ", "NOR" }, { "SJM", "NOR" },
    { "BQ", "NLD" }, { "BES", "NLD" } };

/* Alias -> region code. Natural Earth ADM0_A3 codes that differ from ISO
 * (PSX, SAH, ALD, KOS, SDS, ...), Kosovo's codes, and English names. */
static const char *const aliases[][2] = {
    { "PSX", "PSE" }, { "XGZ", "PSE" }, { "XWB", "PSE" }, { "SAH", "ESH" }, { "ALD", "ALA" }, { "KOS", "XKX" }, { "XKS", "XKX" }, { "UNK", "XKX" },
    { "SDS", "SSD" }, { "ROU", "ROU" }, { "ROM", "ROU" }, { "ZAR", "COD" }, { "TMP", "TLS" }, { "BRN", "BRN" },
    { "Palestinian Territories", "PSE" }, { "State of Palestine", "PSE" }, { "West Bank", "PSE" },
    { "Gaza", "PSE" }, { "Gaza Strip", "PSE" }, { "West Bank and Gaza", "PSE" }, { "Palestinian Territory", "PSE" },
    { "Sahrawi Arab Democratic Republic", "ESH" }, { "Aland", "ALA" }, { "Aland Islands", "ALA" },
    { "Republic of Kosovo", "XKX" }, { "Northern Cyprus", "CYN" }, { "N. Cyprus", "CYN" },
    { "Turkish Republic of Northern Cyprus", "CYN" }, { "Somaliland", "SOL" },
    { "Ivory Coast", "CIV" }, { "Cote d Ivoire", "CIV" }, { "Burma", "MMR" }, { "South Korea", "KOR" },
    { "Korea South", "KOR" }, { "Republic of Korea", "KOR" }, { "Korea Republic of", "KOR" }, { "Korea Rep", "KOR" },
    { "North Korea", "PRK" }, { "Korea North", "PRK" }, { "Korea DPR", "PRK" }, { "Korea Dem People s Rep", "PRK" },
    { "Democratic People s Republic of Korea", "PRK" }, { "UK", "GBR" }, { "Great Britain", "GBR" }, { "Britain", "GBR" },
    { "England", "GBR" }, { "Scotland", "GBR" }, { "Wales", "GBR" }, { "Northern Ireland", "GBR" },
    { "USA", "USA" }, { "US", "USA" }, { "U S", "USA" }, { "U S A", "USA" }, { "United States of America", "USA" },
    { "America", "USA" }, { "Russia", "RUS" }, { "Russian Federation", "RUS" }, { "Czech Republic", "CZE" },
    { "Czechia", "CZE" }, { "Holland", "NLD" }, { "The Netherlands", "NLD" }, { "Netherlands The", "NLD" },
    { "Iran", "IRN" }, { "Iran Islamic Rep", "IRN" }, { "Islamic Republic of Iran", "IRN" }, { "Syria", "SYR" },
    { "Syrian Arab Republic", "SYR" }, { "Laos", "LAO" }, { "Lao PDR", "LAO" }, { "Lao People s Democratic Republic", "LAO" },
    { "Vietnam", "VNM" }, { "Viet Nam", "VNM" }, { "Tanzania", "TZA" }, { "United Republic of Tanzania", "TZA" },
    { "Bolivia", "BOL" }, { "Venezuela", "VEN" }, { "Venezuela RB", "VEN" }, { "Moldova", "MDA" },
    { "Republic of Moldova", "MDA" }, { "Macedonia", "MKD" }, { "North Macedonia", "MKD" }, { "FYROM", "MKD" },
    { "Swaziland", "SWZ" }, { "Eswatini", "SWZ" }, { "Cape Verde", "CPV" }, { "Cabo Verde", "CPV" },
    { "East Timor", "TLS" }, { "Timor Leste", "TLS" }, { "DRC", "COD" }, { "DR Congo", "COD" }, { "Congo Kinshasa", "COD" },
    { "Congo DR", "COD" }, { "Congo Dem Rep", "COD" }, { "Zaire", "COD" }, { "Democratic Republic of Congo", "COD" },
    { "Congo Brazzaville", "COG" }, { "Republic of the Congo", "COG" }, { "Congo Rep", "COG" }, { "Congo Republic", "COG" },
    { "Congo", "COG" }, { "The Gambia", "GMB" }, { "Gambia The", "GMB" }, { "The Bahamas", "BHS" }, { "Bahamas The", "BHS" },
    { "Brunei", "BRN" }, { "Brunei Darussalam", "BRN" }, { "Vatican", "VAT" }, { "Vatican City", "VAT" }, { "Holy See", "VAT" },
    { "Micronesia", "FSM" }, { "Federated States of Micronesia", "FSM" }, { "Micronesia Federated States of", "FSM" }, { "Micronesia Fed Sts", "FSM" },
    { "Turkey", "TUR" }, { "Turkiye", "TUR" }, { "Egypt Arab Rep", "EGY" }, { "Yemen Rep", "YEM" },
    { "Kyrgyz Republic", "KGZ" }, { "Slovak Republic", "SVK" }, { "Hong Kong SAR China", "HKG" },
    { "Hong Kong SAR", "HKG" }, { "Macao", "MAC" }, { "Macao SAR China", "MAC" }, { "Taiwan China", "TWN" },
    { "Chinese Taipei", "TWN" }, { "Republic of China", "TWN" }, { "People s Republic of China", "CHN" }, { "PRC", "CHN" },
    { "UAE", "ARE" }, { "Emirates", "ARE" }, { "Saint Kitts", "KNA" }, { "St Kitts and Nevis", "KNA" },
    { "St Lucia", "LCA" }, { "St Vincent and the Grenadines", "VCT" }, { "Falklands", "FLK" },
    { "Falkland Islands Islas Malvinas", "FLK" }, { "Curacao", "CUW" }, { "Reunion", "FRA" }, { "French Guiana", "FRA" },
    { "Guadeloupe", "FRA" }, { "Martinique", "FRA" }, { "Mayotte", "FRA" }, { "Svalbard", "NOR" },
    { "Bosnia", "BIH" }, { "Bosnia Herzegovina", "BIH" }, { "Trinidad", "TTO" }, { "Antigua", "ATG" },
    { "Sao Tome", "STP" }, { "Guinea Bissau", "GNB" }, { "Papua", "PNG" }, { "Solomon Islands", "SLB" },
    { "Mainland China", "CHN" }, { "Kazakstan", "KAZ" }, { "Belorussia", "BLR" }, { "Byelorussia", "BLR" },
    { "Kirghizia", "KGZ" }, { "Persia", "IRN" }, { "Ceylon", "LKA" }, { "Siam", "THA" }, { "Upper Volta", "BFA" },
    { "Dahomey", "BEN" },
    /* Countries' own names in Latin script, as lists kept in their
     * languages write them (accents are folded away: Osterreich, Espana). */
    { "Brasil", "BRA" }, { "Espana", "ESP" }, { "Deutschland", "DEU" }, { "Italia", "ITA" }, { "Osterreich", "AUT" },
    { "Schweiz", "CHE" }, { "Suisse", "CHE" }, { "Svizzera", "CHE" }, { "Nederland", "NLD" }, { "Belgique", "BEL" },
    { "Belgie", "BEL" }, { "Polska", "POL" }, { "Sverige", "SWE" }, { "Norge", "NOR" }, { "Suomi", "FIN" },
    { "Danmark", "DNK" }, { "Magyarorszag", "HUN" }, { "Hrvatska", "HRV" }, { "Ceska republika", "CZE" },
    { "Slovensko", "SVK" }, { "Slovenija", "SVN" }, { "Srbija", "SRB" }, { "Ellada", "GRC" }, { "Hellas", "GRC" },
    { "Rossiya", "RUS" }, { "Ukrayina", "UKR" }, { "Zhongguo", "CHN" }, { "Nippon", "JPN" }, { "Nihon", "JPN" },
    { "Bharat", "IND" }, { "Misr", "EGY" }, { "Al Maghrib", "MAR" }, { "Maroc", "MAR" }, { "Algerie", "DZA" },
    { "Tunisie", "TUN" }, { "Filipinas", "PHL" }, { "Pilipinas", "PHL" }, { "Eesti", "EST" }, { "Latvija", "LVA" },
    { "Lietuva", "LTU" }, { "Sakartvelo", "GEO" }, { "Hayastan", "ARM" }, { "Azerbaycan", "AZE" },
    /* More of them, hand-written (from the countries' constitutions and
     * official short names in their Latin-script official languages, or
     * the romanisation their governments use): folded forms, so "Island"
     * is Ísland, "Cesko" Česko; letters folding keeps (ø, ı, ə, ʻ) are
     * written as they are. */
    { "Island", "ISL" }, { "Cesko", "CZE" }, { "Eire", "IRL" }, { "Mocambique", "MOZ" }, { "Cameroun", "CMR" },
    { "Letzebuerg", "LUX" }, { "Luxemburg", "LUX" }, { "Shqiperia", "ALB" }, { "Shqiperi", "ALB" },
    { "Republika e Shqiperise", "ALB" }, { "Crna Gora", "MNE" }, { "Bosna i Hercegovina", "BIH" }, { "Bosna", "BIH" },
    { "Qazaqstan", "KAZ" }, { "O zbekiston", "UZB" }, { "Ozbekiston", "UZB" }, { "O\xCA\xBBzbekiston", "UZB" },
    { "Mongol Uls", "MNG" }, { "Mongol Ulus", "MNG" }, { "Belgien", "BEL" }, { "Espanya", "ESP" }, { "Espainia", "ESP" },
    { "Noreg", "NOR" }, { "Severna Makedonija", "MKD" }, { "Makedonija", "MKD" }, { "Balgariya", "BGR" },
    { "Bulgariya", "BGR" }, { "Kypros", "CYP" }, { "Kibris", "CYP" }, { "K\xC4\xB1" "br\xC4\xB1" "s", "CYP" },
    { "Az\xC9\x99rbaycan", "AZE" }, { "Tojikiston", "TJK" }, { "Rossija", "RUS" },
    { "Ukraina", "UKR" }, { "Svizra", "CHE" }, { "Helvetia", "CHE" },
    { "Confoederatio Helvetica", "CHE" }, { "Foroyar", "FRO" }, { "F\xC3\xB8royar", "FRO" },
    { "Kalaallit Nunaat", "GRL" }, { "Suid-Afrika", "ZAF" }, { "Soomaaliya", "SOM" }, { "Ityop'iya", "ETH" },
    { "Ityopia", "ETH" }, { "Ertra", "ERI" }, { "Masr", "EGY" }, { "Libiya", "LBY" }, { "Al Jazair", "DZA" },
    { "Tchad", "TCD" }, { "Guinee", "GIN" }, { "Guine-Bissau", "GNB" }, { "Guinea Ecuatorial", "GNQ" },
    { "Guinee equatoriale", "GNQ" }, { "Centrafrique", "CAF" }, { "Republique centrafricaine", "CAF" },
    { "Comores", "COM" }, { "Komori", "COM" }, { "Madagasikara", "MDG" }, { "Maurice", "MUS" }, { "Sesel", "SYC" },
    { "Sao Tome e Principe", "STP" }, { "Republique democratique du Congo", "COD" }, { "RDC", "COD" },
    { "Mauritanie", "MRT" }, { "Ayiti", "HTI" }, { "Republica Dominicana", "DOM" },
    { "Aotearoa", "NZL" }, { "Papua Niugini", "PNG" }, { "Viti", "FJI" }, { "Singapura", "SGP" },
    { "Kampuchea", "KHM" }, { "Prathet Thai", "THA" }, { "Mueang Thai", "THA" }, { "Hanguk", "KOR" },
    { "Daehan Minguk", "KOR" }, { "Choson", "PRK" }, { "Chos\xC5\x8Fn", "PRK" }, { "Zhonghua Minguo", "TWN" },
    { "Xianggang", "HKG" }, { "Aomen", "MAC" }, { "Macau", "MAC" }, { "Druk Yul", "BTN" }, { "Afghanestan", "AFG" },
    { "Al Iraq", "IRQ" }, { "Suriyah", "SYR" }, { "Lubnan", "LBN" }, { "Liban", "LBN" }, { "Al Urdun", "JOR" },
    { "Yisrael", "ISR" }, { "Filastin", "PSE" }, { "Al Yaman", "YEM" }, { "Uman", "OMN" }, { "Al Bahrayn", "BHR" },
    { "Al Kuwayt", "KWT" }, { "Myanma", "MMR" }, { "Pathet Lao", "LAO" },
    /* The EU's code for Greece (and UK, above, for the United Kingdom). */
    { "EL", "GRC" },
    /* Natural Earth's admin-0 names and codes not written out by words_key,
     * and its special areas: ATC (Ashmore and Cartier) is Australian; IOA
     * (Christmas and Cocos Islands) is filed under Christmas Island, the
     * larger; CNM (the UN buffer zone) under Cyprus. */
    { "Faeroe Islands", "FRO" }, { "U S Virgin Islands", "VIR" }, { "US Virgin Islands", "VIR" },
    { "Wallis and Futuna Islands", "WLF" }, { "ATC", "AUS" }, { "Ashmore and Cartier Islands", "AUS" },
    { "IOA", "CXR" }, { "Indian Ocean Territories", "CXR" }, { "Indian Ocean Territory", "CXR" },
    { "CNM", "CYP" }, { "Cyprus U N Buffer Zone", "CYP" }, { "Cyprus No Mans Area", "CYP" },
    { "Baikonur", "KAB" }, { "Baykonur", "KAB" }, { "Dhekelia", "ESB" }, { "Akrotiri", "WSB" },
    { "Korea", "KOR" }, { "Dem Rep Korea", "PRK" }, { "USNB Guantanamo Bay", "USG" }, { "Guantanamo Bay", "USG" },
    { "Saint Helena", "SHN" }, { "St Helena", "SHN" }, { "South Georgia and the Islands", "SGS" },
    { "South Georgia and the South Sandwich Islands", "SGS" }, { "S Geo and S Sandwich Is", "SGS" },
    { "French Southern and Antarctic Lands", "ATF" }, { "Fr S Antarctic Lands", "ATF" },
    { "French Southern Territories", "ATF" }, { "Hong Kong S A R", "HKG" }, { "Macau S A R", "MAC" },
    { "Macao S A R", "MAC" }, { "Macao SAR", "MAC" }, { "Macau SAR", "MAC" }, { "Siachen", "KAS" },
    /* ISO 3166-1's own English short names, as ISO and UN lists write them
     * ("Moldova, Republic of"; parentheses and commas are not in the key),
     * and abbreviations in wide use. */
    { "Moldova Republic of", "MDA" }, { "Tanzania United Republic of", "TZA" }, { "Palestine State of", "PSE" },
    { "Bolivia Plurinational State of", "BOL" }, { "Venezuela Bolivarian Republic of", "VEN" },
    { "Taiwan Province of China", "TWN" }, { "Iran Islamic Republic of", "IRN" },
    { "Congo The Democratic Republic of the", "COD" }, { "Congo Democratic Republic of the", "COD" },
    { "Korea Democratic People s Republic of", "PRK" }, { "Bonaire Sint Eustatius and Saba", "NLD" },
    { "Virgin Islands U S", "VIR" }, { "Virgin Islands British", "VGB" }, { "Holy See Vatican City State", "VAT" },
    { "Saint Martin French part", "MAF" }, { "Sint Maarten Dutch part", "SXM" },
    { "KSA", "SAU" }, { "ROK", "KOR" }, { "DPRK", "PRK" }, { "Kosova", "XKX" } };

/* ISO 3166-1 numeric codes, three digits (156 is China), copied from
 * Debian's iso-codes 4.15 (iso_3166-1.json, every "numeric" with its
 * "alpha_3"); those of territories geodata/ keeps inside another country
 * lead there, as their alpha codes do, and the few with no region are no
 * key. */
static const char *const numeric_codes[][2] = {
    { "004", "AFG" }, { "008", "ALB" }, { "010", "ATA" }, { "012", "DZA" }, { "016", "ASM" }, { "020", "AND" },
    { "024", "AGO" }, { "028", "ATG" }, { "031", "AZE" }, { "032", "ARG" }, { "036", "AUS" }, { "040", "AUT" },
    { "044", "BHS" }, { "048", "BHR" }, { "050", "BGD" }, { "051", "ARM" }, { "052", "BRB" }, { "056", "BEL" },
    { "060", "BMU" }, { "064", "BTN" }, { "068", "BOL" }, { "070", "BIH" }, { "072", "BWA" }, { "074", "BVT" },
    { "076", "BRA" }, { "084", "BLZ" }, { "086", "IOT" }, { "090", "SLB" }, { "092", "VGB" }, { "096", "BRN" },
    { "100", "BGR" }, { "104", "MMR" }, { "108", "BDI" }, { "112", "BLR" }, { "116", "KHM" }, { "120", "CMR" },
    { "124", "CAN" }, { "132", "CPV" }, { "136", "CYM" }, { "140", "CAF" }, { "144", "LKA" }, { "148", "TCD" },
    { "152", "CHL" }, { "156", "CHN" }, { "158", "TWN" }, { "162", "CXR" }, { "166", "CCK" }, { "170", "COL" },
    { "174", "COM" }, { "175", "MYT" }, { "178", "COG" }, { "180", "COD" }, { "184", "COK" }, { "188", "CRI" },
    { "191", "HRV" }, { "192", "CUB" }, { "196", "CYP" }, { "203", "CZE" }, { "204", "BEN" }, { "208", "DNK" },
    { "212", "DMA" }, { "214", "DOM" }, { "218", "ECU" }, { "222", "SLV" }, { "226", "GNQ" }, { "231", "ETH" },
    { "232", "ERI" }, { "233", "EST" }, { "234", "FRO" }, { "238", "FLK" }, { "239", "SGS" }, { "242", "FJI" },
    { "246", "FIN" }, { "248", "ALA" }, { "250", "FRA" }, { "254", "GUF" }, { "258", "PYF" }, { "260", "ATF" },
    { "262", "DJI" }, { "266", "GAB" }, { "268", "GEO" }, { "270", "GMB" }, { "275", "PSE" }, { "276", "DEU" },
    { "288", "GHA" }, { "292", "GIB" }, { "296", "KIR" }, { "300", "GRC" }, { "304", "GRL" }, { "308", "GRD" },
    { "312", "GLP" }, { "316", "GUM" }, { "320", "GTM" }, { "324", "GIN" }, { "328", "GUY" }, { "332", "HTI" },
    { "334", "HMD" }, { "336", "VAT" }, { "340", "HND" }, { "344", "HKG" }, { "348", "HUN" }, { "352", "ISL" },
    { "356", "IND" }, { "360", "IDN" }, { "364", "IRN" }, { "368", "IRQ" }, { "372", "IRL" }, { "376", "ISR" },
    { "380", "ITA" }, { "384", "CIV" }, { "388", "JAM" }, { "392", "JPN" }, { "398", "KAZ" }, { "400", "JOR" },
    { "404", "KEN" }, { "408", "PRK" }, { "410", "KOR" }, { "414", "KWT" }, { "417", "KGZ" }, { "418", "LAO" },
    { "422", "LBN" }, { "426", "LSO" }, { "428", "LVA" }, { "430", "LBR" }, { "434", "LBY" }, { "438", "LIE" },
    { "440", "LTU" }, { "442", "LUX" }, { "446", "MAC" }, { "450", "MDG" }, { "454", "MWI" }, { "458", "MYS" },
    { "462", "MDV" }, { "466", "MLI" }, { "470", "MLT" }, { "474", "MTQ" }, { "478", "MRT" }, { "480", "MUS" },
    { "484", "MEX" }, { "492", "MCO" }, { "496", "MNG" }, { "498", "MDA" }, { "499", "MNE" }, { "500", "MSR" },
    { "504", "MAR" }, { "508", "MOZ" }, { "512", "OMN" }, { "516", "NAM" }, { "520", "NRU" }, { "524", "NPL" },
    { "528", "NLD" }, { "531", "CUW" }, { "533", "ABW" }, { "534", "SXM" }, { "535", "BES" }, { "540", "NCL" },
    { "548", "VUT" }, { "554", "NZL" }, { "558", "NIC" }, { "562", "NER" }, { "566", "NGA" }, { "570", "NIU" },
    { "574", "NFK" }, { "578", "NOR" }, { "580", "MNP" }, { "581", "UMI" }, { "583", "FSM" }, { "584", "MHL" },
    { "585", "PLW" }, { "586", "PAK" }, { "591", "PAN" }, { "598", "PNG" }, { "600", "PRY" }, { "604", "PER" },
    { "608", "PHL" }, { "612", "PCN" }, { "616", "POL" }, { "620", "PRT" }, { "624", "GNB" }, { "626", "TLS" },
    { "630", "PRI" }, { "634", "QAT" }, { "638", "REU" }, { "642", "ROU" }, { "643", "RUS" }, { "646", "RWA" },
    { "652", "BLM" }, { "654", "SHN" }, { "659", "KNA" }, { "660", "AIA" }, { "662", "LCA" }, { "663", "MAF" },
    { "666", "SPM" }, { "670", "VCT" }, { "674", "SMR" }, { "678", "STP" }, { "682", "SAU" }, { "686", "SEN" },
    { "688", "SRB" }, { "690", "SYC" }, { "694", "SLE" }, { "702", "SGP" }, { "703", "SVK" }, { "704", "VNM" },
    { "705", "SVN" }, { "706", "SOM" }, { "710", "ZAF" }, { "716", "ZWE" }, { "724", "ESP" }, { "728", "SSD" },
    { "729", "SDN" }, { "732", "ESH" }, { "740", "SUR" }, { "744", "SJM" }, { "748", "SWZ" }, { "752", "SWE" },
    { "756", "CHE" }, { "760", "SYR" }, { "762", "TJK" }, { "764", "THA" }, { "768", "TGO" }, { "772", "TKL" },
    { "776", "TON" }, { "780", "TTO" }, { "784", "ARE" }, { "788", "TUN" }, { "792", "TUR" }, { "795", "TKM" },
    { "796", "TCA" }, { "798", "TUV" }, { "800", "UGA" }, { "804", "UKR" }, { "807", "MKD" }, { "818", "EGY" },
    { "826", "GBR" }, { "831", "GGY" }, { "832", "JEY" }, { "833", "IMN" }, { "834", "TZA" }, { "840", "USA" },
    { "850", "VIR" }, { "854", "BFA" }, { "858", "URY" }, { "860", "UZB" }, { "862", "VEN" }, { "876", "WLF" },
    { "882", "WSM" }, { "887", "YEM" }, { "894", "ZMB" } };

static void add_alias(fp_country_index *idx, const char *alias, const char *code)
{
    char *k = fp_fold_text(code);
    fp_country *c = k ? g_hash_table_lookup(idx->by_key, k) : NULL;
    free(k);
    if (c) add_key(idx, alias, c);
}

/* The store's countries as they are read, before the names are keyed. */
typedef struct country_rows {
    fp_country_index *idx;
    long cap;
    char (*names)[2][256];
} country_rows;

static void add_country_row(const char *code, const char *a2, const char *name, const char *nl, void *ud)
{
    country_rows *r = ud;
    fp_country_index *idx = r->idx;
    if (idx->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        idx->all = realloc(idx->all, r->cap * sizeof *idx->all);
        r->names = realloc(r->names, r->cap * sizeof *r->names);
    }
    fp_country *c = &idx->all[idx->n];
    memset(c, 0, sizeof *c);
    snprintf(c->a3, sizeof c->a3, "%s", code ? code : "");
    snprintf(c->a2, sizeof c->a2, "%s", a2 ? a2 : "");
    snprintf(r->names[idx->n][0], 256, "%s", name ? name : "");
    snprintf(r->names[idx->n][1], 256, "%s", nl ? nl : "");
    idx->n++;
}

fp_status fpi_country_index_new(fp_store *store, fp_country_index **out, fp_error *err)
{
    *out = NULL;
    fp_country_index *idx = calloc(1, sizeof *idx);
    idx->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    idx->by_words = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    /* Two passes over the rows: codes first, then names (see add_key). */
    country_rows rows = { idx, 0, NULL };
    fp_status st = fp_store_each_country(store, add_country_row, &rows, err);
    if (st) {
        free(rows.names);
        fpi_country_index_free(idx);
        return st;
    }
    char (*names)[2][256] = rows.names;
    for (long i = 0; i < idx->n; i++) add_key(idx, idx->all[i].a3, &idx->all[i]);
    for (long i = 0; i < idx->n; i++) add_key(idx, idx->all[i].a2, &idx->all[i]);
    for (long i = 0; i < idx->n; i++) {
        add_key(idx, names[i][0], &idx->all[i]);
        add_key(idx, names[i][1], &idx->all[i]);
    }
    free(names);
    /* ISO codes of territories that Natural Earth (and so geodata/) keeps
     * inside their sovereign country: French overseas departments, Svalbard
     * and Jan Mayen, the Caribbean Netherlands. */
    for (size_t i = 0; i < sizeof folded_into / sizeof folded_into[0]; i++) add_alias(idx, folded_into[i][0], folded_into[i][1]);
    /* Codes and names in wide use that are not ISO 3166 or not the shipped
     * names: Natural Earth's own codes for disputed and special areas, the
     * World Bank's / IOC's, and the English names data editors write. Added
     * after the store's names, so they never shadow them. */
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) add_alias(idx, aliases[i][0], aliases[i][1]);
    for (size_t i = 0; i < sizeof numeric_codes / sizeof numeric_codes[0]; i++)
        add_alias(idx, numeric_codes[i][0], numeric_codes[i][1]);
    *out = idx;
    return FP_OK;
}

const fp_country *fpi_country_index_find(const fp_country_index *idx, const char *text)
{
    if (!idx || !text || !*text) return NULL;
    char *k = fp_fold_text(text);
    const fp_country *c = k ? g_hash_table_lookup(idx->by_key, k) : NULL;
    if (!c && k && *k) {
        char *wk = words_key(k);
        c = g_hash_table_lookup(idx->by_words, wk);
        g_free(wk);
    }
    free(k);
    return c;
}

long fpi_country_index_size(const fp_country_index *idx) { return idx ? idx->n : 0; }

void fpi_country_index_free(fp_country_index *idx)
{
    if (!idx) return;
    g_hash_table_destroy(idx->by_key);
    g_hash_table_destroy(idx->by_words);
    free(idx->all);
    free(idx);
}

/* Non-ISO units (no alpha-2) -> the GeoNames country their places are filed
 * under: Somaliland's towns are SO, Northern Cyprus's CY. */
static const char *const hosts[][2] = {
    { "SOL", "SO" }, { "CYN", "CY" }, { "KAS", "IN" }, { "KAB", "KZ" }, { "USG", "CU" }, { "CSI", "AU" },
    /* Natural Earth's Morocco holds most of Western Sahara (EH in GeoNames):
     * "Laayoune, Morocco" is the town the region counts in Morocco, not
     * Morocco's centroid 560 km away. */
    { "MAR", "EH" } };

int fpi_country_gazetteer_codes(const fp_country *c, char codes[][3], int max)
{
    int n = 0;
    if (!c || max <= 0) return 0;
    if (c->a2[0]) { memcpy(codes[n], c->a2, 2); codes[n++][2] = '\0'; }
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0] && n < max; i++)
        if (!strcmp(c->a3, hosts[i][0])) snprintf(codes[n++], 3, "%s", hosts[i][1]);
    for (size_t i = 0; i < sizeof folded_into / sizeof folded_into[0] && n < max; i++)
        if (strlen(folded_into[i][0]) == 2 && !strcmp(c->a3, folded_into[i][1])) snprintf(codes[n++], 3, "%s", folded_into[i][0]);
    return n;
}

/* ---------------------------------------------------- public (fp_geocode.h) */

struct fp_country_names {
    fp_country_index *idx;
};

fp_status fp_country_names_new(fp_store *store, fp_country_names **out, fp_error *err)
{
    *out = NULL;
    fp_country_names *n = calloc(1, sizeof *n);
    if (!n) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    fp_status st = fpi_country_index_new(store, &n->idx, err);
    if (st) { free(n); return st; }
    *out = n;
    return FP_OK;
}

void fp_country_names_free(fp_country_names *names)
{
    if (!names) return;
    fpi_country_index_free(names->idx);
    free(names);
}

int fp_country_resolve(const fp_country_names *names, const char *name_or_code, fp_country_code *out)
{
    const fp_country *c = names ? fpi_country_index_find(names->idx, name_or_code) : NULL;
    if (!c) return 0;
    if (out) {
        snprintf(out->a3, sizeof out->a3, "%s", c->a3);
        snprintf(out->a2, sizeof out->a2, "%s", c->a2);
    }
    return 1;
}
