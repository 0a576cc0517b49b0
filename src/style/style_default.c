/* The built-in default style: styles/world-choropleth.json, verbatim (the
 * unit test test_style checks that they are the same; after editing the
 * file, copy it here line by line). */
#include "style/style_internal.h"

const char fpi_style_default_json[] =
    "{\n"
    "  \"name\": \"world-choropleth\",\n"
    "  \"description\": \"Projects per country: quantile classes of the country_by_category aggregation, YlOrRd\",\n"
    "  \"background\": \"#eaf2f8\",\n"
    "  \"view\": { \"projection\": \"equal-earth\" },\n"
    "  \"land\": { \"fill\": \"#f2f0eb\", \"stroke\": \"#b0b0b0\", \"width\": 0.25 },\n"
    "  \"borders\": { \"stroke\": \"#ffffff\", \"width\": 0.4 },\n"
    "  \"choropleth\": {\n"
    "    \"aggregation\": \"country_by_category\",\n"
    "    \"level\": \"country\",\n"
    "    \"field\": \"projects\",\n"
    "    \"method\": \"quantile\",\n"
    "    \"classes\": 5,\n"
    "    \"scheme\": \"YlOrRd\",\n"
    "    \"nodata\": \"#dddddd\",\n"
    "    \"zero_is_nodata\": true\n"
    "  },\n"
    "  \"graticule\": { \"stroke\": \"#c8d6e0\", \"width\": 0.25, \"step\": 30 },\n"
    "  \"labels\": { \"font\": \"DejaVu Sans\", \"size\": 7, \"color\": \"#333333\", \"halo\": \"#ffffff\", \"max\": 20 },\n"
    "  \"title\": { \"text\": \"Projects per country\", \"font\": \"DejaVu Sans\", \"size\": 16 },\n"
    "  \"legend\": { \"position\": \"bottom-left\" },\n"
    "  \"credits\": \"Boundaries: Natural Earth (public domain). Country attributes: world-countries (ODbL). Colours: ColorBrewer 2.0 by Cynthia Brewer.\"\n"
    "}\n";
